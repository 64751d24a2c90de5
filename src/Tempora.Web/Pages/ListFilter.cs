using Tempora.Web.Rendering;

namespace Tempora.Web.Pages;

/// <summary>What the list shows: the typed query and the two quick filters, each ANDed with the others.</summary>
internal sealed record ListFilter(string Query, string Status, string Type)
{
    public bool IsEmpty => Query.Length == 0 && Status.Length == 0 && Type.Length == 0;

    public string TypeClause => Type.Length > 0 ? $"WorkflowType = {Format.Quote(Type)}" : "";

    public string StatusClause => Status.Length > 0 ? $"ExecutionStatus = {Format.Quote(Status)}" : "";

    public string Combined => Join(Query, TypeClause, StatusClause);

    public string Url(string ns, string? next = null)
    {
        var parameters = new List<string>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                parameters.Add($"{name}={Uri.EscapeDataString(value)}");
            }
        }
        Add("query", Query);
        Add("type", Type);
        Add("status", Status);
        Add("next", next);
        return Format.WorkflowsUrl(ns) + (parameters.Count > 0 ? "?" + string.Join('&', parameters) : "");
    }

    /// <summary>ANDs the non-empty clauses; the typed query is parenthesized so that its ORs stay inside.</summary>
    public static string Join(string query, params string[] clauses)
    {
        var parts = new List<string>();
        if (query.Length > 0)
        {
            parts.Add(clauses.Any(c => c.Length > 0) ? $"({query})" : query);
        }
        parts.AddRange(clauses.Where(c => c.Length > 0));
        return string.Join(" AND ", parts);
    }
}
