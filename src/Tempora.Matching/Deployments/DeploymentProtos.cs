using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Tempora.Core;
using Tempora.Core.Versioning;
using Tempora.Persistence.Deployments;
using Temporalio.Api.Deployment.V1;
using Temporalio.Api.Enums.V1;

namespace Tempora.Matching.Deployments;

/// <summary>The API shapes of stored deployments and versions (deployment.v1), in Temporal 1.28's string forms.</summary>
public static class DeploymentProtos
{
    /// <summary>The opaque conflict token: the deployment's routing revision, 8 bytes big-endian.</summary>
    public static ByteString Token(long token)
    {
        var bytes = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(bytes, token);
        return ByteString.CopyFrom(bytes);
    }

    public static bool TokenMatches(ByteString given, long token) => given.Length == 8 &&
        System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(given.Span) == token;

    /// <summary>The v0.31 string of a version of <paramref name="deployment"/> (null: unversioned).</summary>
    public static string VersionString(string deployment, string? buildId) =>
        buildId is null ? DeploymentVersion.UnversionedString : new DeploymentVersion(deployment, buildId).ToCanonicalString();

    /// <summary>The v0.31 string of a ramping build id: "" no ramp, "__unversioned__" the unversioned ramp.</summary>
    public static string RampingString(string deployment, string? rampingBuildId) => rampingBuildId switch
    {
        null => "",
        "" => DeploymentVersion.UnversionedString,
        _ => new DeploymentVersion(deployment, rampingBuildId).ToCanonicalString(),
    };

    public static WorkerDeploymentVersion? Structured(string deployment, string? buildId) =>
        string.IsNullOrEmpty(buildId) ? null : new DeploymentVersion(deployment, buildId).ToProto();

    public static RoutingConfig Routing(WorkerDeploymentRecord d)
    {
#pragma warning disable CS0612 // the deprecated v0.31 strings, which 1.28 fills and the SDKs read
        var routing = new RoutingConfig
        {
            CurrentVersion = VersionString(d.Name, d.CurrentBuildId),
            CurrentDeploymentVersion = Structured(d.Name, d.CurrentBuildId),
            RampingVersion = RampingString(d.Name, d.RampingBuildId),
            RampingDeploymentVersion = Structured(d.Name, d.RampingBuildId),
            RampingVersionPercentage = d.RampingBuildId is null ? 0 : d.RampPercentage,
            CurrentVersionChangedTime = Ts(d.CurrentChangedTime),
            RampingVersionChangedTime = Ts(d.RampingChangedTime),
            RampingVersionPercentageChangedTime = Ts(d.RampPercentageChangedTime),
        };
#pragma warning restore CS0612
        return routing;
    }

    public static WorkerDeploymentInfo.Types.WorkerDeploymentVersionSummary Summary(string deployment, WorkerDeploymentVersionRecord v)
    {
#pragma warning disable CS0612
        return new WorkerDeploymentInfo.Types.WorkerDeploymentVersionSummary
        {
            Version = VersionString(deployment, v.BuildId),
            DeploymentVersion = Structured(deployment, v.BuildId),
            CreateTime = Ts(v.CreateTime),
            DrainageStatus = v.DrainageStatus,
            DrainageInfo = Drainage(v),
            RoutingUpdateTime = Ts(v.RoutingUpdateTime),
            CurrentSinceTime = Ts(v.CurrentSinceTime),
            RampingSinceTime = Ts(v.RampingSinceTime),
            FirstActivationTime = Ts(v.FirstActivationTime),
            LastDeactivationTime = Ts(v.LastDeactivationTime),
            Status = v.Status,
        };
#pragma warning restore CS0612
    }

    public static WorkerDeploymentInfo Info(WorkerDeploymentRecord d)
    {
        var info = new WorkerDeploymentInfo
        {
            Name = d.Name,
            CreateTime = Ts(d.CreateTime),
            RoutingConfig = Routing(d),
            LastModifierIdentity = d.LastModifierIdentity ?? "",
        };
        info.VersionSummaries.AddRange(d.Versions.Select(v => Summary(d.Name, v)));
        return info;
    }

    public static WorkerDeploymentVersionInfo VersionInfo(string deployment, WorkerDeploymentVersionRecord v)
    {
#pragma warning disable CS0612
        var info = new WorkerDeploymentVersionInfo
        {
            Version = VersionString(deployment, v.BuildId),
            DeploymentVersion = Structured(deployment, v.BuildId),
            Status = v.Status,
            CreateTime = Ts(v.CreateTime),
            RoutingChangedTime = Ts(v.RoutingUpdateTime),
            CurrentSinceTime = Ts(v.CurrentSinceTime),
            RampingSinceTime = Ts(v.RampingSinceTime),
            FirstActivationTime = Ts(v.FirstActivationTime),
            LastDeactivationTime = Ts(v.LastDeactivationTime),
            RampPercentage = v.RampPercentage,
            DrainageInfo = Drainage(v),
            Metadata = Metadata(v),
        };
#pragma warning restore CS0612
        info.TaskQueueInfos.AddRange(v.TaskQueues.Select(q => new WorkerDeploymentVersionInfo.Types.VersionTaskQueueInfo
        {
            Name = q.Name,
            Type = q.Kind switch { TaskKind.Workflow => TaskQueueType.Workflow, TaskKind.Activity => TaskQueueType.Activity, _ => TaskQueueType.Nexus },
        }));
        return info;
    }

    /// <summary>The version's metadata, null when it has none (1.28 omits it then).</summary>
    public static VersionMetadata? Metadata(WorkerDeploymentVersionRecord v) => v.Metadata is null ? null : VersionMetadata.Parser.ParseFrom(v.Metadata);

    private static VersionDrainageInfo? Drainage(WorkerDeploymentVersionRecord v) => v.DrainageStatus == VersionDrainageStatus.Unspecified
        ? null
        : new VersionDrainageInfo { Status = v.DrainageStatus, LastChangedTime = Ts(v.DrainageChangedTime), LastCheckedTime = Ts(v.DrainageCheckedTime) };

    private static Timestamp? Ts(DateTimeOffset? time) => time is { } t ? Timestamp.FromDateTimeOffset(t) : null;
}
