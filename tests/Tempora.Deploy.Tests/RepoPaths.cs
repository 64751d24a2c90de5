namespace Tempora.Deploy.Tests;

/// <summary>Where the repository and the shared CRD schemas are, found from the test assembly's folder.</summary>
internal static class RepoPaths
{
    public const string SchemasVariable = "TEMPORA_K8S_SCHEMAS";

    /// <summary>The folder holding Tempora.slnx.</summary>
    public static string Root { get; } = FindRoot();

    public static string Chart => Path.Combine(Root, "deploy", "helm", "tempora");

    public static string Kubernetes => Path.Combine(Root, "deploy", "kubernetes");

    /// <summary>
    /// The CRD schemas (one JSON file per group_version_kind): TEMPORA_K8S_SCHEMAS, else shared/k8s-schemas beside
    /// the repository. They are test data kept outside the repository, so their absence is a clear failure.
    /// </summary>
    public static string Schemas
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable(SchemasVariable);
            var path = string.IsNullOrWhiteSpace(configured)
                ? Path.GetFullPath(Path.Combine(Root, "..", "shared", "k8s-schemas"))
                : configured;
            if (!Directory.Exists(path) || Directory.GetFiles(path, "*.json").Length == 0)
            {
                throw new InvalidOperationException(
                    $"The Kubernetes CRD schemas are not at {path}. They live in shared/k8s-schemas beside the repository " +
                    $"(one <group>_<version>_<kind>.json per CRD); set {SchemasVariable} to their folder if they are elsewhere.");
            }
            return path;
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Tempora.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No Tempora.slnx above {AppContext.BaseDirectory}.");
    }
}
