using Tempora.Core.Errors;
using Tempora.Core.Versioning;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Workflow.V1;
using PinnedBehavior = Temporalio.Api.Workflow.V1.VersioningOverride.Types.PinnedOverrideBehavior;

namespace Tempora.History.Validation;

/// <summary>
/// A run's versioning override as Temporal 1.28 takes it: checked as its ValidateVersioningOverride checks it, then
/// kept in the v0.32 form (<c>auto_upgrade</c> or <c>pinned {version, behavior}</c>) whichever form the client sent,
/// so that history and describe show one shape.
/// </summary>
public static class VersioningOverrides
{
    /// <summary>Refuses an override 1.28 refuses, in its words (InvalidArgument); null passes.</summary>
    public static void Validate(VersioningOverride? o)
    {
        if (o is null)
        {
            return;
        }
        if (o.OverrideCase == VersioningOverride.OverrideOneofCase.OneTime)
        {
            throw new UnimplementedException("versioning_override.one_time is not supported by this server (Temporal 1.28 has no such field).");
        }
        if (o.AutoUpgrade)
        {
            return;
        }
        if (o.Pinned is { } pinned)
        {
            if (pinned.Version is null)
            {
                throw new InvalidArgumentException("must provide version if override is pinned.");
            }
            if (pinned.Behavior == PinnedBehavior.Unspecified)
            {
                throw new InvalidArgumentException("must specify pinned override behavior if override is pinned.");
            }
            return;
        }
#pragma warning disable CS0612, CS0618 // the deprecated v0.30/v0.31 forms, which 1.28 still accepts
        switch (o.Behavior)
        {
            case VersioningBehavior.Pinned:
                if (o.Deployment is { } d)
                {
                    if (d.SeriesName.Length == 0)
                    {
                        throw new InvalidArgumentException("deployment name cannot be empty");
                    }
                    if (d.SeriesName.Contains('.') || d.SeriesName.Contains(':'))
                    {
                        throw new InvalidArgumentException("deployment name cannot contain '.' or ':'");
                    }
                    if (d.BuildId.Length == 0)
                    {
                        throw new InvalidArgumentException("deployment build ID cannot be empty");
                    }
                }
                else if (o.PinnedVersion.Length > 0)
                {
                    if (!DeploymentVersion.TryParse(o.PinnedVersion, out _))
                    {
                        throw new InvalidArgumentException(
                            $"invalid version string \"{o.PinnedVersion}\", expected format is \"<deployment_name>.<build_id>\"");
                    }
                }
                else
                {
                    throw new InvalidArgumentException("must provide deployment (deprecated) or pinned version if behavior is 'PINNED'");
                }
                break;
            case VersioningBehavior.AutoUpgrade:
                if (o.Deployment is not null)
                {
                    throw new InvalidArgumentException("only provide deployment if behavior is 'PINNED'");
                }
                if (o.PinnedVersion.Length > 0)
                {
                    throw new InvalidArgumentException("only provide pinned version if behavior is 'PINNED'");
                }
                break;
            case VersioningBehavior.Unspecified:
                throw new InvalidArgumentException("override behavior is required");
            default:
                throw new InvalidArgumentException($"override behavior {o.Behavior} not recognized");
        }
    }

    /// <summary>The v0.32 form of a valid override (a new message; the request's is left as sent).</summary>
    public static VersioningOverride Normalize(VersioningOverride o)
    {
        if (o.AutoUpgrade || o.Behavior == VersioningBehavior.AutoUpgrade)
        {
            return new VersioningOverride { AutoUpgrade = true };
        }
        var version = o.Pinned?.Version
            ?? (o.Deployment is { } d ? new DeploymentVersion(d.SeriesName, d.BuildId).ToProto() : null)
            ?? (DeploymentVersion.TryParse(o.PinnedVersion, out var parsed) ? parsed!.ToProto() : null);
        return new VersioningOverride
        {
            Pinned = new VersioningOverride.Types.PinnedOverride { Behavior = PinnedBehavior.Pinned, Version = version },
        };
    }
#pragma warning restore CS0612, CS0618

    /// <summary>Validates and normalises in one step; null stays null.</summary>
    public static VersioningOverride? Accept(VersioningOverride? o)
    {
        Validate(o);
        return o is null ? null : Normalize(o);
    }
}
