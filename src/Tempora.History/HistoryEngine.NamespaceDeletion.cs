namespace Tempora.History;

/// <summary>A deleted namespace's runs stop here: nothing this process holds for them is acted on again.</summary>
public sealed partial class HistoryEngine
{
    /// <summary>
    /// Drops what this process holds for the runs of a namespace being deleted: cached state (a later request reloads
    /// and finds the run gone), due timers and transfer work, and the matching tasks waiting for a poller. Their rows
    /// are purged by the deletion itself; a transition already under way fails its row-version check then.
    /// </summary>
    public void DropNamespace(string namespaceId)
    {
        foreach (var (key, ctx) in _runs.Entries)
        {
            if (key.NamespaceId == namespaceId)
            {
                ctx.State = null;
                ctx.History = null;
                ctx.Visible = null;
                ctx.NotifyChanged(); // long polls waiting on the run re-check, and find it gone
            }
        }
        _timerQueue.RemoveWhere(t => t.Key.NamespaceId == namespaceId);
        _transferQueue.RemoveWhere(t => t.Key.NamespaceId == namespaceId);
        _dispatcher.Withdraw(t => t.Queue.NamespaceId == namespaceId);
    }
}
