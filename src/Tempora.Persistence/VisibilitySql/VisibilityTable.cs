using Tempora.Visibility.Query;

namespace Tempora.Persistence.VisibilitySql;

/// <summary>The visibility table's columns in the order both stores read and write them.</summary>
public static class VisibilityTable
{
    /// <summary>The upsert's conflict clause (same in both dialects): a newer version replaces the row, an older one
    /// (a write applied late) is ignored.</summary>
    public const string UpsertOnConflict = """
        ON CONFLICT (namespace_id, run_id) DO UPDATE SET
            workflow_id = excluded.workflow_id, workflow_type_name = excluded.workflow_type_name, status = excluded.status,
            start_time = excluded.start_time, execution_time = excluded.execution_time, close_time = excluded.close_time,
            task_queue = excluded.task_queue, history_length = excluded.history_length, history_size_bytes = excluded.history_size_bytes,
            execution_duration = excluded.execution_duration, state_transition_count = excluded.state_transition_count,
            parent_workflow_id = excluded.parent_workflow_id, parent_run_id = excluded.parent_run_id,
            root_workflow_id = excluded.root_workflow_id, root_run_id = excluded.root_run_id, memo = excluded.memo,
            search_attributes = excluded.search_attributes, version = excluded.version
        WHERE excluded.version >= executions_visibility.version
        """;

    public const string Columns = """
        namespace_id, run_id, workflow_id, workflow_type_name, status, start_time, execution_time, close_time, task_queue,
        history_length, history_size_bytes, execution_duration, state_transition_count, parent_workflow_id, parent_run_id,
        root_workflow_id, root_run_id, memo, search_attributes, version
        """;

    /// <summary>The column of a system search attribute.</summary>
    public static string Column(VisibilityField field) => field switch
    {
        VisibilityField.WorkflowId => "workflow_id",
        VisibilityField.RunId => "run_id",
        VisibilityField.WorkflowType => "workflow_type_name",
        VisibilityField.ExecutionStatus => "status",
        VisibilityField.StartTime => "start_time",
        VisibilityField.ExecutionTime => "execution_time",
        VisibilityField.CloseTime => "close_time",
        VisibilityField.TaskQueue => "task_queue",
        VisibilityField.HistoryLength => "history_length",
        VisibilityField.HistorySizeBytes => "history_size_bytes",
        VisibilityField.ExecutionDuration => "execution_duration",
        VisibilityField.StateTransitionCount => "state_transition_count",
        VisibilityField.ParentWorkflowId => "parent_workflow_id",
        VisibilityField.ParentRunId => "parent_run_id",
        VisibilityField.RootWorkflowId => "root_workflow_id",
        VisibilityField.RootRunId => "root_run_id",
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "not a visibility column"),
    };
}
