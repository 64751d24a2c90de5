using System.Diagnostics;
using System.Text.Json;

namespace Tempora.EndToEnd.Tests.Archival;

/// <summary>
/// The real S3-compatible server of tests/s3-server (s3rver under node) on a loopback port the OS picks, storing in a
/// directory of its own. It checks request signatures against its one account, whose keys this process puts in
/// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, where the server's S3 client finds them (the AWS SDK's default chain).
/// </summary>
public sealed class S3Server : IAsyncDisposable
{
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";

    private readonly Process _process;
    private readonly string _directory;

    private S3Server(Process process, string directory, Uri endpoint)
    {
        _process = process;
        _directory = directory;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    /// <summary>Starts the server with <paramref name="buckets"/> created; other buckets do not exist until created.</summary>
    public static async Task<S3Server> StartAsync(params string[] buckets)
    {
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", AccessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", SecretKey);
        var dir = PackageDirectory();
        if (!System.IO.Directory.Exists(Path.Combine(dir, "node_modules", "s3rver")))
        {
            throw new InvalidOperationException($"The test S3 server is not installed: run `npm ci` in {dir} (scripts/test.sh does).");
        }
        var storage = Path.Combine(Path.GetTempPath(), $"tempora-s3-{Guid.NewGuid():N}");
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = dir,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("start.mjs");
        start.ArgumentList.Add(JsonSerializer.Serialize(new { directory = storage, buckets }));
        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            if (line is null || !line.StartsWith("listening ", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"The S3 server did not start: {line} {await errors.WaitAsync(TimeSpan.FromSeconds(5))}");
            }
            return new S3Server(process, storage, new Uri(line["listening ".Length..]));
        }
        catch
        {
            process.Kill();
            process.Dispose();
            throw;
        }
    }

    /// <summary>An S3 client of the test's own, for what an operator would do to the bucket.</summary>
    public Amazon.S3.AmazonS3Client Client() => new(new Amazon.Runtime.BasicAWSCredentials(AccessKey, SecretKey), new Amazon.S3.AmazonS3Config
    {
        ServiceURL = Endpoint.ToString(),
        ForcePathStyle = true,
        AuthenticationRegion = "us-east-1",
        RequestChecksumCalculation = Amazon.Runtime.RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = Amazon.Runtime.ResponseChecksumValidation.WHEN_REQUIRED,
    });

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        using var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _process.WaitForExitAsync(stopped.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
        }
        _process.Dispose();
        try
        {
            System.IO.Directory.Delete(_directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private static string PackageDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "s3-server");
            if (File.Exists(Path.Combine(candidate, "start.mjs")))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("tests/s3-server was not found above " + AppContext.BaseDirectory);
    }
}
