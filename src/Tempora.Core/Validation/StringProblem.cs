namespace Tempora.Core.Validation;

/// <summary>A string a store cannot hold: where it is (field path, e.g. workflow_type.name) and what is wrong with it.</summary>
public sealed record StringProblem(string Path, string Reason)
{
    public string Message => $"{Path} {Reason}; strings must be valid Unicode and may not contain NUL characters.";
}
