namespace Tempora.Archival;

/// <summary>Blobs as files under a directory (file:// URIs); a key's '/' separate directories.</summary>
public sealed class FileArchiveStore(string root, FileStoreSettings settings) : IArchiveStore
{
    public async Task PutAsync(string key, byte[] data, CancellationToken ct)
    {
        var path = PathOf(key);
        CreateDirectories(Path.GetDirectoryName(path)!);
        // Written aside and renamed, so a reader never sees half a file and a crash leaves no truncated archive.
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await File.WriteAllBytesAsync(temp, data, ct);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temp, settings.FileMode);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken ct)
    {
        try
        {
            return await File.ReadAllBytesAsync(PathOf(key), ct);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public Task<IReadOnlyList<string>> ListAsync(string prefix, string? startAfter, int limit, CancellationToken ct)
    {
        // Prefixes used here always end at a directory ("<ns>/visibility/"), so listing that directory is enough.
        var dir = PathOf(prefix.TrimEnd('/'));
        if (!Directory.Exists(dir))
        {
            return Task.FromResult<IReadOnlyList<string>>([]);
        }
        var keys = Directory.EnumerateFiles(dir)
            .Where(f => !f.EndsWith(".tmp", StringComparison.Ordinal))
            .Select(f => prefix + Path.GetFileName(f))
            .Where(k => startAfter is null || string.CompareOrdinal(k, startAfter) > 0)
            .Order(StringComparer.Ordinal)
            .Take(limit)
            .ToList();
        return Task.FromResult<IReadOnlyList<string>>(keys);
    }

    private string PathOf(string key) => Path.Combine(root, key.Replace('/', Path.DirectorySeparatorChar));

    private void CreateDirectories(string dir)
    {
        if (Directory.Exists(dir))
        {
            return;
        }
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(dir);
            return;
        }
        CreateDirectories(Path.GetDirectoryName(dir)!);
        try
        {
            Directory.CreateDirectory(dir, settings.DirMode);
        }
        catch (IOException) when (Directory.Exists(dir))
        {
            // created concurrently: fine
        }
    }
}
