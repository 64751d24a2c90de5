using System.Text.Json;
using Tempora.History.Execution;

namespace Tempora.History.Queues;

/// <summary>
/// Reads the timer rows of databases written before transfer tasks had their own table, when transfer work was a
/// timer due at once (timer kinds 7 to 11, with the target run in the same payload): the store moves each to
/// transfer_tasks with the payload this answers (<see cref="Persistence.IExecutionStore.UpgradeLegacyTasksAsync"/>).
/// </summary>
internal static class LegacyTransferTimer
{
    private const int LegacyStartChild = 7;
    private const int LegacyCancelExternal = 11;

    /// <summary>The transfer task payload of a legacy transfer-kind timer; null for a real timer.</summary>
    public static byte[]? ToTransferTask(byte[] timerData)
    {
        int kind;
        try
        {
            using var json = JsonDocument.Parse(timerData);
            kind = json.RootElement.TryGetProperty(nameof(TimerTaskInfo.Kind), out var k) && k.TryGetInt32(out var n) ? n : 0;
        }
        catch (JsonException)
        {
            return null; // not ours to judge: the timer queue reports a damaged row when it fires
        }
        if (kind is < LegacyStartChild or > LegacyCancelExternal)
        {
            return null;
        }
        // Same member names and meaning as before; only the kind is numbered anew (StartChild 7 -> 1, ...).
        var info = StateSerializer.DeserializeValue<TransferTaskInfo>(timerData) with
        {
            Kind = (TransferTaskKind)(kind - LegacyStartChild + 1),
        };
        return StateSerializer.SerializeValue(info);
    }
}
