using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// Oversize requests cost the server no memory: each is refused from its 5-byte gRPC frame header, before the message
/// is read. Measured on a real `tempora` process through /proc, with a raw HTTP/2 client that streams the body (so
/// that the test process itself never holds the 120 MiB).
/// </summary>
public sealed class MessageSizeMemoryTests
{
    private const int Requests = 6;
    private const long RequestSize = 120L * 1024 * 1024;

    /// <summary>Generous: the refusals need next to nothing; reading the six messages whole took RSS from ~200 MiB to ~2 GiB.</summary>
    private const long AllowedGrowth = 150L * 1024 * 1024;

    [Fact]
    public async Task OversizeRequests_SixConcurrentOf120MiB_ServerPeakRssStaysWithinBound()
    {
        using var db = new TestDatabase("oversize-rss");
        await using var server = await TemporaProcess.StartForAsync(db, logName: "oversize-rss");
        using var http = new HttpClient(new SocketsHttpHandler { EnableMultipleHttp2Connections = true })
        {
            Timeout = TimeSpan.FromMinutes(3),
        };
        // Warm the request path first (JIT, Kestrel's buffers), so that the baseline is a server that has served one.
        var warm = await SendAsync(http, server.Address, 16);
        Assert.Equal("0", warm.Status);
        var before = ProcStatus(server.Pid, "VmRSS");

        var answers = await Task.WhenAll(Enumerable.Range(0, Requests).Select(_ => SendAsync(http, server.Address, RequestSize)))
            .WithTimeout("six oversize requests to be answered", TimeSpan.FromMinutes(3));

        // VmHWM is the process's peak resident set: it catches a spike the requests caused even if memory came back.
        var peak = ProcStatus(server.Pid, "VmHWM");
        Assert.True(peak - before < AllowedGrowth,
            $"peak RSS {peak / (1024 * 1024)} MiB is {(peak - before) / (1024 * 1024)} MiB over the {before / (1024 * 1024)} MiB before the requests");
        Assert.All(answers, a =>
        {
            Assert.Equal("8", a.Status); // ResourceExhausted
            Assert.Equal($"grpc: received message larger than max ({RequestSize} vs. {4 * 1024 * 1024})", a.Message);
        });
    }

    [Fact]
    public async Task ReceiveLimit_SetThroughTheCommandLine_IsTheOneEnforced()
    {
        using var db = new TestDatabase("receive-limit-cli");
        // start-dev takes Temporal CLI's --dynamic-config-value; `tempora start` (PostgreSQL) a dynamicConfig: section.
        var configFile = Path.Combine(Path.GetDirectoryName(db.DbFile)!, "tempora.yaml");
        await File.WriteAllTextAsync(configFile, "dynamicConfig:\n  grpc.maxReceiveMessageSize: 65536\n");
        await using var server = await TemporaProcess.StartAsync(db.Postgres is { } pg
            ? new TemporaProcessOptions { Postgres = pg, SetupSchema = true, LogName = "receive-limit-cli", ExtraArguments = ["--config", configFile] }
            : new TemporaProcessOptions
            {
                DbFile = db.DbFile,
                LogName = "receive-limit-cli",
                ExtraArguments = ["--dynamic-config-value", "grpc.maxReceiveMessageSize=65536"],
            });
        using var http = new HttpClient();

        var within = await SendAsync(http, server.Address, 60 * 1024);
        var over = await SendAsync(http, server.Address, 70 * 1024);

        Assert.Equal("0", within.Status);
        Assert.Equal(("8", $"grpc: received message larger than max ({70 * 1024} vs. 65536)"), (over.Status, over.Message));
    }

    [Fact]
    public async Task StartDev_UnknownDynamicConfigKey_ExitsNamingIt()
    {
        using var db = new TestDatabase("dynamic-config-unknown", postgres: false);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => TemporaProcess.StartAsync(new TemporaProcessOptions
        {
            DbFile = db.DbFile,
            LogName = "dynamic-config-unknown",
            ExtraArguments = ["--dynamic-config-value", "limit.noSuchLimit=1"],
        }));

        Assert.Contains("exited with code 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("Dynamic config key 'limit.noSuchLimit' is not one this server honours", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// GetSystemInfo with a message of <paramref name="messageSize"/> bytes: an unknown length-delimited field (which a
    /// protobuf parser keeps, so a server that reads the message accepts it) filled with zeros.
    /// </summary>
    private static async Task<(string? Status, string? Message)> SendAsync(HttpClient http, string address, long messageSize)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post,
            $"http://{address}/temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new UnknownFieldMessage(messageSize),
        };
        request.Headers.TryAddWithoutValidation("te", "trailers");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        // The body (none for a trailers-only answer) must be read before the trailers are there.
        await response.Content.CopyToAsync(Stream.Null);
        return (Header(response, "grpc-status"), Header(response, "grpc-message"));
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.TrailingHeaders.TryGetValues(name, out values)
            ? values.First()
            : null;

    /// <summary>A field of /proc/PID/status, in bytes.</summary>
    private static long ProcStatus(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        var kib = line[(field.Length + 1)..].Trim().Split(' ')[0];
        return long.Parse(kib, CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>One gRPC frame whose message is a single unknown field of zeros, streamed in 64 KiB writes.</summary>
    private sealed class UnknownFieldMessage : HttpContent
    {
        /// <summary>Field 1000, wire type 2 (length-delimited): no Temporal request has a field 1000.</summary>
        private static readonly byte[] Tag = Varint((1000 << 3) | 2);

        private readonly long _messageSize;
        private readonly byte[] _prefix;

        public UnknownFieldMessage(long messageSize)
        {
            _messageSize = messageSize;
            // tag + length varint + zeros = messageSize, where the length varint's own size depends on the length.
            var varintSize = 1;
            while (Varint((ulong)(messageSize - Tag.Length - varintSize)).Length != varintSize)
            {
                varintSize++;
            }
            var dataLength = messageSize - Tag.Length - varintSize;
            _prefix = [.. Tag, .. Varint((ulong)dataLength)];
            if (_prefix.Length + dataLength != messageSize)
            {
                throw new InvalidOperationException("message size does not add up");
            }
            Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var frameHeader = new byte[5];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frameHeader.AsSpan(1), (uint)_messageSize);
            await stream.WriteAsync(frameHeader);
            await stream.WriteAsync(_prefix);
            var zeros = new byte[64 * 1024];
            for (var left = _messageSize - _prefix.Length; left > 0; left -= zeros.Length)
            {
                await stream.WriteAsync(zeros.AsMemory(0, (int)Math.Min(zeros.Length, left)));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        private static byte[] Varint(ulong value)
        {
            var bytes = new List<byte>();
            while (value >= 0x80)
            {
                bytes.Add((byte)(value | 0x80));
                value >>= 7;
            }
            bytes.Add((byte)value);
            return [.. bytes];
        }
    }
}
