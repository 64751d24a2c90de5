using System.Diagnostics;

namespace Tempora.Deploy.Tests;

/// <summary>`kubectl kustomize DIR`, the same rendering Flux's kustomize-controller and `kubectl apply -k` do.</summary>
internal static class Kustomize
{
    public static string Render(string directory)
    {
        var info = new ProcessStartInfo("kubectl", ["kustomize", directory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("kubectl did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                $"kubectl is not on PATH ({e.Message}); the manifest tests need it to render deploy/kubernetes. " +
                "Install it (Debian: `apt-get install kubernetes-client`; .ci/run does this when it is missing).", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"kubectl kustomize {directory} did not finish within 60 s");
            }
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"kubectl kustomize {directory} exited with {process.ExitCode}: {stderr.Result}");
            }
            return stdout.Result;
        }
    }
}
