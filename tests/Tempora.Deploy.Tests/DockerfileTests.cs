using System.Text.RegularExpressions;

namespace Tempora.Deploy.Tests;

/// <summary>
/// The Dockerfile restores before it copies the sources, from the project files it copies one by one: a project the
/// server references but the list misses makes `dotnet restore` fail in the image build (no Docker here to try it).
/// </summary>
public sealed partial class DockerfileTests
{
    [Fact]
    public void RestoreLayer_CopiesEveryServerProject()
    {
        var dockerfile = File.ReadAllText(Path.Combine(RepoPaths.Root, "Dockerfile"));
        var copied = CopiedProject().Matches(dockerfile).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        var projects = Directory.GetDirectories(Path.Combine(RepoPaths.Root, "src"))
            .Select(Path.GetFileName)
            .Where(name => File.Exists(Path.Combine(RepoPaths.Root, "src", name!, name + ".csproj")))
            .ToList();

        var missing = projects.Where(p => !copied.Contains(p!)).ToList();

        Assert.NotEmpty(projects);
        Assert.True(missing.Count == 0, $"The Dockerfile's restore layer does not copy: {string.Join(", ", missing)}");
    }

    [GeneratedRegex(@"^COPY src/([A-Za-z.]+)/\1\.csproj src/\1/$", RegexOptions.Multiline)]
    private static partial Regex CopiedProject();
}
