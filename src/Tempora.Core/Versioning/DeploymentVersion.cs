using Temporalio.Api.Deployment.V1;

namespace Tempora.Core.Versioning;

/// <summary>
/// One version of a worker deployment: the deployment's name and a build id. Temporal 1.28 writes it two ways: the
/// deprecated "v0.31" string <c>name.build</c> (what <c>version</c> fields and the .NET SDK's canonical string carry)
/// and the "v0.32" string <c>name:build</c> (search attributes, the BuildIds entry). Both parse, cut at the first
/// <c>.</c> or <c>:</c>, so a deployment name holds neither while a build id may.
/// </summary>
public sealed record DeploymentVersion(string DeploymentName, string BuildId)
{
    /// <summary>The version string of "no version": workers without deployment options.</summary>
    public const string UnversionedString = "__unversioned__";

    /// <summary>The deprecated v0.31 form, <c>name.build</c>, which 1.28 still answers in every <c>version</c> field.</summary>
    public string ToCanonicalString() => $"{DeploymentName}.{BuildId}";

    /// <summary>The v0.32 form, <c>name:build</c>, of search attributes and drainage queries.</summary>
    public string ToSearchAttributeString() => $"{DeploymentName}:{BuildId}";

    public override string ToString() => ToCanonicalString();

    public WorkerDeploymentVersion ToProto() => new() { DeploymentName = DeploymentName, BuildId = BuildId };

    /// <summary>The version of a structured field; null when absent or both parts are empty.</summary>
    public static DeploymentVersion? FromProto(WorkerDeploymentVersion? version) =>
        version is null || (version.DeploymentName.Length == 0 && version.BuildId.Length == 0)
            ? null
            : new DeploymentVersion(version.DeploymentName, version.BuildId);

    /// <summary>Parses the v0.32 form only (<c>name:build</c>, cut at the first colon), as DescribeTaskQueue's build ids do.</summary>
    public static bool TryParseV32(string? text, out DeploymentVersion? version)
    {
        version = null;
        var cut = text?.IndexOf(':') ?? -1;
        if (cut <= 0 || cut == text!.Length - 1)
        {
            return false;
        }
        version = new DeploymentVersion(text[..cut], text[(cut + 1)..]);
        return true;
    }

    /// <summary>
    /// Parses either string form; false when it has no separator, or either part is empty. The unversioned string is
    /// not a version: callers check for it first.
    /// </summary>
    public static bool TryParse(string? text, out DeploymentVersion? version)
    {
        version = null;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }
        var cut = text.AsSpan().IndexOfAny('.', ':');
        if (cut <= 0 || cut == text.Length - 1)
        {
            return false;
        }
        version = new DeploymentVersion(text[..cut], text[(cut + 1)..]);
        return true;
    }
}
