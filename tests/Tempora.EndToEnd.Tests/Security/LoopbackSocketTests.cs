namespace Tempora.EndToEnd.Tests.Security;

/// <summary>The Unix socket in-process clients reach the frontend through: in a directory only this user can enter,
/// removed when the server stops.</summary>
public sealed class LoopbackSocketTests
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task LoopbackSocket_PrivateDirectory_RemovedOnStop()
    {
        var own = await OwnServer.StartAsync("uds");
        string directory;
        try
        {
            directory = Path.GetDirectoryName(own.Server.LoopbackSocketPath)!;
            Assert.True(File.Exists(own.Server.LoopbackSocketPath), "the socket file exists while the server runs");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
        }
        finally
        {
            await own.DisposeAsync();
        }
        Assert.False(Directory.Exists(directory));
    }
}
