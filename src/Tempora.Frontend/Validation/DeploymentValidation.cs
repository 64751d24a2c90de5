using Tempora.Core.Errors;
using Tempora.Core.Versioning;
using Temporalio.Api.Deployment.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Frontend.Validation;

/// <summary>
/// The worker deployment requests' checks in Temporal 1.28's words (workflow_handler.go, worker_versioning.go and the
/// deployment client's validateVersionWfParams), and the resolution of their version fields: the v0.31 string when
/// given, else the structured field.
/// </summary>
internal static class DeploymentValidation
{
    /// <summary>validateVersionWfParams' limit: half of the id length limit (1000) less the version workflow id's prefix.</summary>
    public const int MaxFieldLength = (1000 - 39) / 2;

    private const string NameField = "WorkerDeploymentName";
    private const string BuildIdField = "BuildID";

    /// <summary>The version a VERSIONED poll names (DeploymentFromCapabilities), or null for any other poll.</summary>
    public static DeploymentVersion? PollVersion(WorkerDeploymentOptions? options)
    {
        if (options?.WorkerVersioningMode != WorkerVersioningMode.Versioned)
        {
            return null;
        }
        if (options.DeploymentName.Length == 0)
        {
            throw new InvalidArgumentException("versioned worker must have deployment name");
        }
        if (options.BuildId.Length == 0)
        {
            throw new InvalidArgumentException("versioned worker must have build id");
        }
        if (options.DeploymentName.Contains(':') || options.DeploymentName.Contains('.'))
        {
            throw new InvalidArgumentException("deployment name cannot contain ':' or '.'");
        }
        CheckField(BuildIdField, options.BuildId);
        CheckField(NameField, options.DeploymentName);
        return new DeploymentVersion(options.DeploymentName, options.BuildId);
    }

    public static void CheckName(string name) => CheckField(NameField, name);

    /// <summary>DescribeWorkerDeploymentVersion's version.</summary>
    public static DeploymentVersion DescribedVersion(DescribeWorkerDeploymentVersionRequest r)
    {
#pragma warning disable CS0612
        var text = r.Version;
#pragma warning restore CS0612
        if (text.Length == 0)
        {
            if (r.DeploymentVersion is null)
            {
                throw new InvalidArgumentException("deployment version cannot be empty");
            }
            text = V31(r.DeploymentVersion);
        }
        return Named(text);
    }

    /// <summary>The version of a delete or metadata request: the structured field wins when set, as in 1.28.</summary>
    public static DeploymentVersion TargetVersion(string text, WorkerDeploymentVersion? structured) =>
        Named(structured is not null ? V31(structured) : text);

    /// <summary>
    /// SetWorkerDeploymentCurrentVersion's target build id (null: unversioned), from <c>version</c> else <c>build_id</c>.
    /// </summary>
    public static string? CurrentTarget(SetWorkerDeploymentCurrentVersionRequest r)
    {
        if (r.DeploymentName.Length == 0)
        {
            throw new InvalidArgumentException("deployment name cannot be empty");
        }
#pragma warning disable CS0612
        var text = r.Version;
#pragma warning restore CS0612
        var buildId = text.Length == 0 ? NullIfEmpty(r.BuildId) : OfDeployment(text, r.DeploymentName);
        CheckName(r.DeploymentName);
        return buildId;
    }

    /// <summary>
    /// SetWorkerDeploymentRampingVersion's target: null no ramp, "" the unversioned ramp, else a build id; and its
    /// percentage checked.
    /// </summary>
    public static string? RampingTarget(SetWorkerDeploymentRampingVersionRequest r)
    {
#pragma warning disable CS0612
        var text = r.Version;
#pragma warning restore CS0612
        if (text.Length == 0)
        {
            text = r.BuildId.Length > 0 ? $"{r.DeploymentName}.{r.BuildId}" : r.Percentage > 0 ? DeploymentVersion.UnversionedString : "";
        }
        if (r.Percentage < 0 || r.Percentage > 100)
        {
            throw new InvalidArgumentException("Percentage must be between 0 and 100 (inclusive)");
        }
        string? target = text.Length == 0 ? null : OfDeployment(text, r.DeploymentName) ?? "";
        CheckName(r.DeploymentName);
        return target;
    }

    /// <summary>A version string's build id (null: the unversioned string) after checking it names the request's deployment.</summary>
    private static string? OfDeployment(string text, string deploymentName)
    {
        if (text == DeploymentVersion.UnversionedString)
        {
            return null;
        }
        var version = Parse(text, e => new InvalidArgumentException("invalid version string: " + e));
        if (version.DeploymentName != deploymentName)
        {
            throw new InvalidArgumentException($"invalid version string '{text}' does not match deployment name '{deploymentName}'");
        }
        return version.BuildId;
    }

    private static DeploymentVersion Named(string text)
    {
        if (text == DeploymentVersion.UnversionedString)
        {
            CheckField(NameField, ""); // 1.28 parses it to no version, whose empty name its checks refuse
        }
        var version = Parse(text, _ => new InvalidArgumentException(
            $"invalid version string \"{text}\", expected format is \"<deployment_name>.<build_id>\""));
        CheckField(NameField, version.DeploymentName);
        CheckField(BuildIdField, version.BuildId);
        return version;
    }

    /// <summary>1.28's WorkerDeploymentVersionFromStringV31: cut at the first '.' or ':'; both parts non-empty.</summary>
    private static DeploymentVersion Parse(string text, Func<string, Exception> error)
    {
        var cut = text.AsSpan().IndexOfAny('.', ':');
        if (cut < 0)
        {
            throw error($"expected delimiter ':' or '.' not found in version string {text}");
        }
        if (cut == 0)
        {
            throw error($"deployment name is empty in version string {text}");
        }
        if (cut == text.Length - 1)
        {
            throw error($"build id is empty in version string {text}");
        }
        return new DeploymentVersion(text[..cut], text[(cut + 1)..]);
    }

    private static void CheckField(string field, string value)
    {
        if (value.Length == 0)
        {
            throw new InvalidArgumentException($"{field} cannot be empty");
        }
        if (System.Text.Encoding.UTF8.GetByteCount(value) > MaxFieldLength)
        {
            throw new InvalidArgumentException($"size of {field} larger than the maximum allowed");
        }
        if (field == NameField && value.Contains('.'))
        {
            throw new InvalidArgumentException("worker deployment name cannot contain '.'");
        }
        if (field == NameField && value.Contains(':'))
        {
            throw new InvalidArgumentException("worker deployment name cannot contain ':'");
        }
        if (value.StartsWith("__", StringComparison.Ordinal))
        {
            throw new InvalidArgumentException($"{field} cannot start with '__'");
        }
    }

    private static string V31(WorkerDeploymentVersion v) => $"{v.DeploymentName}.{v.BuildId}";

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;
}
