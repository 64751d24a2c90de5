namespace Tempora.History.Queues;

/// <summary>What a transfer task does on another run (Temporal's transfer task types of the same names).</summary>
public enum TransferTaskKind
{
    StartChild = 1,
    NotifyParent = 2,
    ParentClosePolicy = 3,
    SignalExternal = 4,
    CancelExternal = 5,

    /// <summary>Send a Nexus operation's start request to its handler (Temporal's outbound InvocationTask).</summary>
    InvokeNexusOperation = 6,

    /// <summary>Send a started Nexus operation's cancel request to its handler (CancelationTask).</summary>
    CancelNexusOperation = 7,

    /// <summary>Report a closed run to the Nexus operation that started it (its completion callback).</summary>
    CompleteNexusOperation = 8,
}
