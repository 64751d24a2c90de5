using Microsoft.AspNetCore.Http;

namespace Tempora.Web.Pages;

/// <summary>
/// What a routing form of a deployment's page was posted with, so that a refused post shows the form again as it was
/// filled in. <see cref="BuildId"/> is <see cref="Unversioned"/> for the workers without a version.
/// </summary>
internal sealed record DeploymentChoice(string? Action, string? BuildId, string? Percentage, bool IgnoreMissingTaskQueues, string ConflictToken)
{
    /// <summary>The select's value for "unversioned workers" (no build id is this: "__" is reserved).</summary>
    public const string Unversioned = "__unversioned__";

    public static readonly DeploymentChoice None = new(null, null, null, false, "");

    public static DeploymentChoice From(string action, IFormCollection form) => new(
        action,
        form["build-id"].ToString(),
        form["percentage"].ToString(),
        form["ignore-missing-task-queues"] == "true",
        form["conflict-token"].ToString());

    /// <summary>The build id to send: empty for the unversioned workers.</summary>
    public string BuildIdToSend => BuildId is null or Unversioned ? "" : BuildId;
}
