namespace Tempora.History.Queues;

/// <summary>What a transfer task does on another run (Temporal's transfer task types of the same names).</summary>
public enum TransferTaskKind
{
    StartChild = 1,
    NotifyParent = 2,
    ParentClosePolicy = 3,
    SignalExternal = 4,
    CancelExternal = 5,
}
