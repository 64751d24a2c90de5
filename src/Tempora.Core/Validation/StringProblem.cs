namespace Tempora.Core.Validation;

/// <summary>A string a store cannot hold: where it is (field path, e.g. workflow_type.name) and what is wrong with it.</summary>
public sealed record StringProblem(string Path, string Reason)
{
    public string Message => $"{Path} {Reason}; strings must be valid Unicode and may not contain NUL characters.";

    /// <summary>The same problem seen from the parent: <paramref name="segment"/> (a field name, "[3]") goes in front.</summary>
    public StringProblem Under(string segment) => segment.Length == 0 ? this : this with
    {
        Path = Path.Length == 0 || Path[0] is '[' or ' ' ? segment + Path : $"{segment}.{Path}",
    };
}
