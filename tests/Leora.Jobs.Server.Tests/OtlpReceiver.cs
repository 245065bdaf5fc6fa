using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Leora.Jobs.Server.Tests;

/// <summary>One span as an OTLP exporter sent it: ids in hex, and the service and instrumentation scope that sent it.</summary>
internal sealed record ReceivedSpan(string TraceId, string SpanId, string ParentSpanId, string Name, int Kind, string Service, string Scope,
    IReadOnlyList<(string TraceId, string SpanId)> Links);

/// <summary>
/// A minimal OTLP/HTTP receiver on 127.0.0.1 (protobuf, as the exporters send with OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf):
/// it keeps the spans of <c>/v1/traces</c> and accepts metrics and logs without reading them. The few fields it needs
/// are read straight from the protobuf wire format (opentelemetry-proto's trace.proto and resource.proto).
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OtlpReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<ReceivedSpan> Spans { get; } = new();

    public string Endpoint => _app.Urls.First();

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            foreach (var span in ReadTraces(body.ToArray())) receiver.Spans.Enqueue(span);
            return Results.Bytes([], "application/x-protobuf");
        });
        app.MapPost("/v1/{signal}", (string signal) => Results.Bytes([], "application/x-protobuf"));
        await app.StartAsync();
        return receiver;
    }

    // ExportTraceServiceRequest: 1 resource_spans. ResourceSpans: 1 resource, 2 scope_spans. Resource: 1 attributes.
    // ScopeSpans: 1 scope (InstrumentationScope: 1 name), 2 spans. Span: 1 trace_id, 2 span_id, 4 parent_span_id,
    // 5 name, 6 kind, 13 links (Link: 1 trace_id, 2 span_id). KeyValue: 1 key, 2 value (AnyValue: 1 string_value).
    private static IEnumerable<ReceivedSpan> ReadTraces(byte[] request)
    {
        foreach (var resourceSpans in Fields(request).Where(f => f.Number == 1))
        {
            var service = "";
            foreach (var field in Fields(resourceSpans.Bytes))
            {
                if (field.Number == 1)
                    foreach (var attribute in Fields(field.Bytes).Where(f => f.Number == 1))
                    {
                        var kv = Fields(attribute.Bytes);
                        if (Text(kv, 1) == "service.name" && kv.FirstOrDefault(f => f.Number == 2) is { Bytes: { } value })
                            service = Text(Fields(value), 1);
                    }
                if (field.Number != 2) continue;
                var scopeSpans = Fields(field.Bytes);
                var scope = scopeSpans.FirstOrDefault(f => f.Number == 1) is { Bytes: { } s } ? Text(Fields(s), 1) : "";
                foreach (var span in scopeSpans.Where(f => f.Number == 2))
                {
                    var f = Fields(span.Bytes);
                    var links = f.Where(x => x.Number == 13).Select(l => Fields(l.Bytes)).Select(l => (Hex(l, 1), Hex(l, 2))).ToList();
                    yield return new ReceivedSpan(Hex(f, 1), Hex(f, 2), Hex(f, 4), Text(f, 5),
                        (int)(f.FirstOrDefault(x => x.Number == 6)?.Varint ?? 0), service, scope, links);
                }
            }
        }
    }

    private static string Hex(List<Field> fields, int number) =>
        fields.FirstOrDefault(f => f.Number == number) is { Bytes: { Length: > 0 } b } ? Convert.ToHexStringLower(b) : "";

    private static string Text(List<Field> fields, int number) =>
        fields.FirstOrDefault(f => f.Number == number) is { Bytes: { } b } ? Encoding.UTF8.GetString(b) : "";

    private sealed record Field(int Number, ulong Varint, byte[]? Bytes);

    private static List<Field> Fields(byte[]? message)
    {
        var fields = new List<Field>();
        if (message is null) return fields;
        var i = 0;
        while (i < message.Length)
        {
            var tag = ReadVarint(message, ref i);
            var number = (int)(tag >> 3);
            switch (tag & 7)
            {
                case 0:
                    fields.Add(new Field(number, ReadVarint(message, ref i), null));
                    break;
                case 1:
                    i += 8;
                    fields.Add(new Field(number, 0, null));
                    break;
                case 2:
                    var length = (int)ReadVarint(message, ref i);
                    fields.Add(new Field(number, 0, message[i..(i + length)]));
                    i += length;
                    break;
                case 5:
                    i += 4;
                    fields.Add(new Field(number, 0, null));
                    break;
                default:
                    throw new InvalidDataException($"Unexpected protobuf wire type {tag & 7}.");
            }
        }
        return fields;
    }

    private static ulong ReadVarint(byte[] data, ref int i)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[i++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return value;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
