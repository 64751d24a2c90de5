using System.Runtime.InteropServices;

namespace Tempora.Cli;

/// <summary>Turns the first Ctrl+C (SIGINT) or SIGTERM into a request for a graceful stop.</summary>
/// <remarks>
/// Only the first signal is cancelled. A second one reaches the runtime's default handler and ends the process at
/// once, so a shutdown that hangs can still be interrupted from the terminal.
/// </remarks>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly PosixSignalRegistration _sigTerm;
    private string? _signal;

    public ShutdownSignal()
    {
        Console.CancelKeyPress += OnCancelKeyPress;
        _sigTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSigTerm);
    }

    /// <summary>Cancelled when a stop has been requested.</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>The signal that requested the stop, for the log; null until one arrives.</summary>
    public string? Signal => Volatile.Read(ref _signal);

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _sigTerm.Dispose();
        _cts.Dispose();
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e) => e.Cancel = TryRequest("SIGINT");

    private void OnSigTerm(PosixSignalContext context) => context.Cancel = TryRequest("SIGTERM");

    private bool TryRequest(string signal)
    {
        if (Interlocked.CompareExchange(ref _signal, signal, null) is not null)
        {
            return false;
        }

        // CancelAsync runs the token's callbacks on the thread pool: the signal handler thread must return promptly.
        _ = _cts.CancelAsync();
        return true;
    }
}
