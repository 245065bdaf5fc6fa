using Leora.Crm.Model;

namespace Leora.Crm.Extraction;

/// <summary>The instructions and JSON schema of each scan type.</summary>
internal static class ExtractionPrompts
{
    public const string System =
        "You read photographs and scans of documents for a CRM. Report only what is printed on the image; use null for anything absent or illegible. " +
        "Set legible to false, and say why in problem, when the image is not a readable document of the requested kind.";

    public static string Instruction(string scanType) => scanType switch
    {
        ScanTypes.BusinessCard => "This should be a business card. Extract the person's name, job title, company, every e-mail address, every phone number, the web site and the postal address.",
        ScanTypes.LiquorLicense => "This should be a liquor licence. Extract the licence number, licence type, licensee (legal name), trade name, premises address, issuing authority, and the issue and expiry dates as printed.",
        _ => throw new ArgumentOutOfRangeException(nameof(scanType)),
    };

    // Structured outputs need every property listed in required and additionalProperties false; null marks absence.
    public static string Schema(string scanType) => scanType switch
    {
        ScanTypes.BusinessCard => """
            {"type":"object","additionalProperties":false,
             "required":["legible","problem","name","title","company","emails","phones","website","address"],
             "properties":{
               "legible":{"type":"boolean"},"problem":{"type":["string","null"]},
               "name":{"type":["string","null"]},"title":{"type":["string","null"]},"company":{"type":["string","null"]},
               "emails":{"type":"array","items":{"type":"string"}},"phones":{"type":"array","items":{"type":"string"}},
               "website":{"type":["string","null"]},"address":{"type":["string","null"]}}}
            """,
        ScanTypes.LiquorLicense => """
            {"type":"object","additionalProperties":false,
             "required":["legible","problem","licenseNumber","licenseType","licensee","tradeName","premisesAddress","issuingAuthority","issueDate","expiryDate"],
             "properties":{
               "legible":{"type":"boolean"},"problem":{"type":["string","null"]},
               "licenseNumber":{"type":["string","null"]},"licenseType":{"type":["string","null"]},"licensee":{"type":["string","null"]},
               "tradeName":{"type":["string","null"]},"premisesAddress":{"type":["string","null"]},"issuingAuthority":{"type":["string","null"]},
               "issueDate":{"type":["string","null"]},"expiryDate":{"type":["string","null"]}}}
            """,
        _ => throw new ArgumentOutOfRangeException(nameof(scanType)),
    };
}
