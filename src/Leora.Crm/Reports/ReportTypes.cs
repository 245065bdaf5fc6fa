namespace Leora.Crm.Reports;

/// <summary>The reports over CRM data.</summary>
internal static class ReportTypes
{
    /// <summary>Every customer, one row each.</summary>
    public const string Customers = "customers";
    /// <summary>Customers counted by region, status and source.</summary>
    public const string CustomerSegments = "customer_segments";
    /// <summary>Imports (and their rows) and scans (and their outcomes) per day.</summary>
    public const string Activity = "activity";

    public static bool IsValid(string? type) => type is Customers or CustomerSegments or Activity;
}
