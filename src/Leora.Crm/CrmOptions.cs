using System.ComponentModel.DataAnnotations;

namespace Leora.Crm;

/// <summary>Settings of Leora CRM (configuration section <c>Crm</c> in the <c>leora-jobs</c> service). Validated when the host starts by <see cref="CrmOptionsValidator"/>.</summary>
public sealed class CrmOptions : IValidatableObject
{
    /// <summary>The environment variable read for <see cref="AnthropicApiKey"/> when it is not set.</summary>
    public const string ApiKeyEnvironmentVariable = "ANTHROPIC_API_KEY";

    /// <summary>
    /// The Anthropic API key. Defaults to the <c>ANTHROPIC_API_KEY</c> environment variable. Without one, image extraction is
    /// refused at upload (503) and an image_extraction job fails at once with "image extraction is not configured";
    /// customer enrichment does only its deterministic part. Never logged.
    /// </summary>
    public string? AnthropicApiKey { get; set; }

    /// <summary>The Messages API's base URL. Defaults to null: the SDK's (the <c>ANTHROPIC_BASE_URL</c> environment variable, else Anthropic's API).</summary>
    public string? AnthropicBaseUrl { get; set; }

    /// <summary>The Claude model used for image extraction and enrichment. Defaults to <c>claude-sonnet-4-5</c>.</summary>
    public string Model { get; set; } = "claude-sonnet-4-5";

    /// <summary>Upper bound on the tokens of one answer. Defaults to 2048.</summary>
    public int MaxTokens { get; set; } = 2048;

    /// <summary>How long one call to the model may take before the attempt is retried. Defaults to 60 seconds.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Largest image accepted by <c>POST /api/scans</c> (413 beyond), uploaded or fetched from its URL. Defaults to 5 MB.</summary>
    public long MaxImageBytes { get; set; } = 5 * 1024 * 1024;

    /// <summary>
    /// Host names (or IP literals) that a scan's image URL may name even when they resolve to loopback, private,
    /// link-local or other non-public addresses, which are refused otherwise: the same server-side request forgery guard
    /// as webhook jobs (<c>Jobs:Webhook:AllowedHosts</c>), with its own list. Compared case-insensitively with the URL's
    /// host, exactly (no wildcards). Defaults to empty: only hosts on public addresses.
    /// </summary>
    public IList<string> ImageUrlAllowedHosts { get; } = new List<string>();

    /// <summary>How long fetching a scan's image URL may take before the attempt is retried. Defaults to 30 seconds.</summary>
    public TimeSpan ImageFetchTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest file accepted by <c>POST /api/imports</c> (413 beyond). Defaults to 50 MB.</summary>
    public long MaxImportBytes { get; set; } = 50 * 1024 * 1024;

    /// <summary>
    /// Where uploaded and generated files are kept. Defaults to null: in the database (table <c>crm_files</c>), which every
    /// worker node reaches. A directory must be shared by every node that runs CRM jobs.
    /// </summary>
    public string? FileDirectory { get; set; }

    /// <summary>Whether a completed business-card scan creates or updates a customer, matched by e-mail. Defaults to false.</summary>
    public bool CreateCustomersFromBusinessCards { get; set; }

    /// <summary>
    /// Whether an import is a workflow (docs/workflows.md): its job leads a batch, it enqueues one <c>customer_enrichment</c>
    /// per customer it created or changed into that batch, and the batch's on-complete callback generates the import's report
    /// (<c>GET /api/imports/{id}</c> gives its <c>batchId</c>, <c>enrichments</c> and <c>reportId</c>). Defaults to true;
    /// false runs the import alone, as before (no enrichment, no report): enrichment costs a call to Claude per customer.
    /// </summary>
    public bool EnrichImportedCustomers { get; set; } = true;

    /// <summary>
    /// Whether a business-card scan that creates or changes a customer (<see cref="CreateCustomersFromBusinessCards"/>)
    /// enqueues that customer's <c>customer_enrichment</c>, as a child of the scan's job that depends on it. Defaults to true.
    /// </summary>
    public bool EnrichScannedCustomers { get; set; } = true;

    /// <summary>Country calling code (digits) assumed for a phone number written without one. Defaults to null: such numbers are kept as digits.</summary>
    public string? DefaultPhoneCountryCode { get; set; }

    /// <summary>Rows per import transaction (one checkpoint each). Defaults to 1000.</summary>
    public int ImportBatchSize { get; set; } = 1000;

    /// <summary>Most entries an XLSX (a ZIP) may hold. Defaults to 1000.</summary>
    public int MaxXlsxEntries { get; set; } = 1000;

    /// <summary>Most bytes an XLSX may expand to, in all (declared and as read). Defaults to 512 MB.</summary>
    public long MaxXlsxUncompressedBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Highest ratio of expanded to compressed size of one XLSX entry (a zip bomb's mark). Defaults to 200.</summary>
    public int MaxXlsxCompressionRatio { get; set; } = 200;

    /// <summary>
    /// Most shared strings an XLSX import holds (the table a sheet's cells refer to by index is kept in memory while the
    /// sheet is read). A workbook with more is refused. Defaults to 2,000,000.
    /// </summary>
    public int MaxXlsxSharedStrings { get; set; } = 2_000_000;

    /// <summary>
    /// Most characters the shared strings of an XLSX import may hold in all (two bytes each in memory). A workbook with
    /// more is refused. Defaults to 32,000,000; at most 1,000,000,000.
    /// </summary>
    public int MaxXlsxSharedStringChars { get; set; } = 32_000_000;

    /// <summary>
    /// Most columns an import reads in one row (CSV fields, XLSX cells up to the last one used). A row reaching further is
    /// refused and the import fails. Defaults to 1000.
    /// </summary>
    public int MaxImportColumns { get; set; } = 1000;

    /// <summary>Most characters one row of an import may hold in all its cells. A longer row fails the import. Defaults to 1,048,576 (1 Mi).</summary>
    public int MaxImportRowChars { get; set; } = 1024 * 1024;

    /// <summary>
    /// Most rows a PDF report holds (a PDF is built in memory; CSV and XLSX hold every row). The rows past it are counted, and
    /// both the PDF's first page and the report's API answer (<c>truncated</c>, <c>rowCap</c>, <c>totalRows</c>) say so.
    /// Defaults to 20,000; at most 100,000.
    /// </summary>
    public int MaxPdfReportRows { get; set; } = 20_000;

    /// <summary>Whether the CRM tables are migrated when the host starts. Defaults to true.</summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>Whether image extraction can run: an API key is configured.</summary>
    public bool ImageExtractionConfigured => !string.IsNullOrWhiteSpace(AnthropicApiKey);

    // Ranges are checked here, not with [Range]: the source-generated copy of RangeAttribute drops ErrorMessage
    // (dotnet/runtime#123137).
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (MaxImageBytes <= 0 || MaxImportBytes <= 0) yield return new("CrmOptions: MaxImageBytes and MaxImportBytes must be positive.");
        if (ImportBatchSize is < 1 or > 10_000) yield return new("CrmOptions: ImportBatchSize must be between 1 and 10000.");
        if (MaxTokens <= 0 || RequestTimeout <= TimeSpan.Zero) yield return new("CrmOptions: MaxTokens and RequestTimeout must be positive.");
        if (ImageFetchTimeout <= TimeSpan.Zero) yield return new("CrmOptions: ImageFetchTimeout must be positive.");
        if (ImageUrlAllowedHosts.Any(string.IsNullOrWhiteSpace)) yield return new("CrmOptions: ImageUrlAllowedHosts has an empty entry.");
        if (string.IsNullOrWhiteSpace(Model)) yield return new("CrmOptions: Model is empty.");
        if (DefaultPhoneCountryCode is not null && (DefaultPhoneCountryCode.Length is < 1 or > 3 || !DefaultPhoneCountryCode.All(char.IsAsciiDigit)))
            yield return new("CrmOptions: DefaultPhoneCountryCode must be 1 to 3 digits.");
        if (MaxXlsxEntries <= 0 || MaxXlsxUncompressedBytes <= 0 || MaxXlsxCompressionRatio <= 1)
            yield return new("CrmOptions: the XLSX limits must be positive.");
        if (MaxXlsxSharedStrings <= 0 || MaxXlsxSharedStringChars is <= 0 or > 1_000_000_000)
            yield return new("CrmOptions: MaxXlsxSharedStrings must be positive and MaxXlsxSharedStringChars between 1 and 1000000000.");
        if (MaxImportColumns <= 0 || MaxImportRowChars <= 0)
            yield return new("CrmOptions: MaxImportColumns and MaxImportRowChars must be positive.");
        if (MaxPdfReportRows is < 1 or > 100_000) yield return new("CrmOptions: MaxPdfReportRows must be between 1 and 100000.");
    }
}
