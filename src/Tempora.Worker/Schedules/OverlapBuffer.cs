using Temporalio.Api.Enums.V1;

namespace Tempora.Worker.Schedules;

/// <summary>
/// What the overlap policies make of the buffer, given whether a run of the schedule is still going (Temporal's
/// ProcessBuffer): which start may go now without overlapping, which allow-all starts go alongside, what stays
/// buffered, how many are skipped, and whether the running workflow must be cancelled or terminated first.
/// </summary>
internal sealed class OverlapBuffer
{
    private OverlapBuffer()
    {
    }

    /// <summary>The one start that runs alone (nothing else of the schedule runs when it starts).</summary>
    public BufferedStart? NonOverlapping { get; private set; }

    /// <summary>Allow-all starts: they go whatever runs.</summary>
    public List<BufferedStart> Overlapping { get; } = [];

    /// <summary>Starts that wait for the running workflow to close.</summary>
    public List<BufferedStart> Waiting { get; } = [];

    public long Skipped { get; private set; }

    public bool NeedCancel { get; private set; }

    public bool NeedTerminate { get; private set; }

    /// <summary>The starts to make now, in the order Temporal makes them (allow-all ones first).</summary>
    public IEnumerable<BufferedStart> Starts => NonOverlapping is null ? Overlapping : Overlapping.Append(NonOverlapping);

    /// <param name="buffer">The buffered starts, oldest first.</param>
    /// <param name="isRunning">Whether a (non-overlapping) run of the schedule is still open.</param>
    /// <param name="resolve">The policy a start's own (possibly unspecified) policy means now.</param>
    public static OverlapBuffer Process(
        IEnumerable<BufferedStart> buffer, bool isRunning, Func<ScheduleOverlapPolicy, ScheduleOverlapPolicy> resolve)
    {
        var result = new OverlapBuffer();
        foreach (var start in buffer)
        {
            var policy = resolve(start.OverlapPolicy);
            if (policy == ScheduleOverlapPolicy.AllowAll)
            {
                result.Overlapping.Add(start);
            }
            else if (!isRunning && result.NonOverlapping is null)
            {
                result.NonOverlapping = start;
            }
            else
            {
                result.Overlap(start, policy, isRunning);
            }
        }
        if (result.NeedCancel || result.NeedTerminate)
        {
            // The stop would hit allow-all runs started now as well: don't start them.
            result.Overlapping.Clear();
        }
        return result;
    }

    /// <summary>A start that would overlap another (running, or chosen to start now): its policy decides.</summary>
    private void Overlap(BufferedStart start, ScheduleOverlapPolicy policy, bool isRunning)
    {
        switch (policy)
        {
            case ScheduleOverlapPolicy.BufferOne when Waiting.Count == 0:
            case ScheduleOverlapPolicy.BufferAll:
                Waiting.Add(start);
                break;
            case ScheduleOverlapPolicy.CancelOther or ScheduleOverlapPolicy.TerminateOther when isRunning:
                // Starts once the running workflow is gone.
                NeedCancel |= policy == ScheduleOverlapPolicy.CancelOther;
                NeedTerminate |= policy == ScheduleOverlapPolicy.TerminateOther;
                Waiting.Add(start);
                break;
            case ScheduleOverlapPolicy.CancelOther or ScheduleOverlapPolicy.TerminateOther:
                // Nothing runs yet: the newer start replaces the one chosen (which never ran, so nothing is counted).
                NonOverlapping = start;
                break;
            default:
                // Skip, and a second buffer-one.
                Skipped++;
                break;
        }
    }
}
