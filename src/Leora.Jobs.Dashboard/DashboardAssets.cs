using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Leora.Jobs.Dashboard;

/// <summary>
/// The dashboard's HTML, CSS, JS and icon, embedded in the assembly and loaded once. Assets are addressed with a
/// content hash in the query string by the page, so they can be cached for a year; the page itself is revalidated
/// with its ETag on every load.
/// </summary>
internal sealed class DashboardAssets
{
    private const string Prefix = "LeoraDashboard/";
    private readonly FrozenDictionary<string, Asset> _assets;

    public DashboardAssets(IOptions<JobsDashboardOptions> options)
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(Prefix, StringComparison.Ordinal)) continue;
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var name = resource[Prefix.Length..];
            assets[name] = Asset.Create(buffer.ToArray(), ContentType(name));
        }
        var page = Encoding.UTF8.GetString(assets["index.html"].Content)
            .Replace("{{title}}", HtmlEncoder.Default.Encode(options.Value.Title), StringComparison.Ordinal);
        foreach (var (name, asset) in assets)
            page = page.Replace("{{v:" + name + "}}", asset.Version, StringComparison.Ordinal);
        Page = Asset.Create(Encoding.UTF8.GetBytes(page), ContentType("index.html"));
        assets.Remove("index.html");
        _assets = assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The page shell (no data in it).</summary>
    public Asset Page { get; }

    public bool TryGet(string name, out Asset asset) => _assets.TryGetValue(name, out asset!);

    /// <summary>Writes an asset, or 304 when the browser's copy is current.</summary>
    public static Task WriteAsync(HttpContext context, Asset asset, bool immutable)
    {
        var headers = context.Response.Headers;
        headers.ETag = asset.ETag;
        headers.CacheControl = immutable ? "public, max-age=31536000, immutable" : "no-cache";
        if (context.Request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(t => t.Trim() == asset.ETag)))
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }
        context.Response.ContentType = asset.ContentType;
        context.Response.ContentLength = asset.Content.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.Body.WriteAsync(asset.Content).AsTask();
    }

    private static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };

    /// <summary>One embedded file.</summary>
    internal sealed record Asset(byte[] Content, string ContentType, string ETag, string Version)
    {
        public static Asset Create(byte[] content, string contentType)
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(content))[..16];
            return new Asset(content, contentType, new EntityTagHeaderValue($"\"{hash}\"").ToString(), hash);
        }
    }
}
