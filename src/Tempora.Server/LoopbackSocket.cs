namespace Tempora.Server;

/// <summary>
/// The Unix domain socket in-process clients (web UI, worker role) reach the frontend through: plaintext h2c in a
/// directory only this user can enter (0700), so it needs no certificate and no one else can connect; removed on stop.
/// </summary>
internal sealed class LoopbackSocket : IDisposable
{
    public LoopbackSocket()
    {
        // CreateTempSubdirectory makes the directory with mode 0700 on Unix.
        Directory = System.IO.Directory.CreateTempSubdirectory("tempora-");
        Path = System.IO.Path.Combine(Directory.FullName, "frontend.sock");
    }

    public DirectoryInfo Directory { get; }

    /// <summary>The socket file.</summary>
    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Already gone; nothing else to clean.
        }
    }
}
