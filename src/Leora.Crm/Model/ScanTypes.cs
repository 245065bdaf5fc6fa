namespace Leora.Crm.Model;

/// <summary>The kinds of image a scan reads.</summary>
internal static class ScanTypes
{
    public const string BusinessCard = "business_card";
    public const string LiquorLicense = "liquor_license";

    public static bool IsValid(string? value) => value is BusinessCard or LiquorLicense;
}
