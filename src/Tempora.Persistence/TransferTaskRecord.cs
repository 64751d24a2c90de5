using Tempora.Core;

namespace Tempora.Persistence;

/// <summary>
/// Immediate work a run's transition hands to another run (start a child, tell a parent, apply a parent close
/// policy, signal or cancel a workflow), processed as soon as its transaction commits (Data is owned by history).
/// </summary>
public sealed record TransferTaskRecord(long TaskId, WorkflowKey Key, byte[] Data);
