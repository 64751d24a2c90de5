using System.Text.Json.Nodes;
using Temporalio.Api.History.V1;

namespace Tempora.Bench;

/// <summary>
/// What <see cref="Measurement"/> needs from a driver: how to start a workflow and get its result, how to read a
/// workflow's history (for the phases), and what to write about it in the JSON line.
/// </summary>
/// <param name="Name">"sdk" (the official SDK as client and worker) or "raw" (the worker protocol over plain gRPC).</param>
/// <param name="Start">Starts one workflow; see <see cref="StartWorkflow"/>.</param>
/// <param name="History">Every event of a workflow, by its id.</param>
/// <param name="Worker">The worker's settings, copied into the JSON line.</param>
/// <param name="Sdk">The client library, copied into the JSON line.</param>
/// <param name="FirstWorkerError">A failure the worker saw outside any one workflow's result (null: none).</param>
internal sealed record LoadDriver(
    string Name,
    StartWorkflow Start,
    Func<string, CancellationToken, Task<IReadOnlyList<HistoryEvent>>> History,
    JsonObject Worker,
    string Sdk,
    Func<string?> FirstWorkerError);
