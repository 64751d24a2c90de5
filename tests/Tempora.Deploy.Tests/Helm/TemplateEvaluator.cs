using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using YamlDotNet.Serialization;

namespace Tempora.Deploy.Tests.Helm;

/// <summary>{{ fail "…" }} or a required value: the chart refused the values, as `helm template` would.</summary>
internal sealed class TemplateFailedException(string message) : Exception(message);

/// <summary>
/// Runs parsed templates over Helm-shaped data: maps are <c>Dictionary&lt;string, object?&gt;</c>, lists
/// <c>List&lt;object?&gt;</c>, numbers <c>double</c> (Helm reads values through JSON, so they are float64 there too),
/// plus strings, booleans and null. The functions are the Sprig/Helm ones the chart uses, with their Go semantics
/// (argument order, what counts as empty); any other function is an error.
/// </summary>
/// <remarks>
/// <c>lookup</c> reads <paramref name="cluster"/>, the objects "in the cluster" keyed "apiVersion/kind/namespace/name";
/// without it every lookup finds nothing, as in `helm template`.
/// </remarks>
internal sealed class TemplateEvaluator(
    IReadOnlyDictionary<string, IReadOnlyList<TemplateNode>> defines,
    IReadOnlyDictionary<string, Dictionary<string, object?>>? cluster = null)
{
    private int _includeDepth;

    public string Render(IReadOnlyList<TemplateNode> nodes, object? data)
    {
        var sb = new StringBuilder();
        var scope = new Scope(data);
        scope.Variables.Add(("$", data));
        Execute(nodes, scope, sb);
        return sb.ToString();
    }

    private sealed class Scope(object? dot)
    {
        public object? Dot { get; set; } = dot;

        public List<(string Name, object? Value)> Variables { get; } = [];
    }

    private void Execute(IReadOnlyList<TemplateNode> nodes, Scope scope, StringBuilder sb)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case TextNode text:
                    sb.Append(text.Text);
                    break;
                case ActionNode action:
                    var value = Evaluate(action.Pipeline, scope);
                    if (action.Pipeline.Variable is null)
                    {
                        sb.Append(Print(value));
                    }
                    break;
                case BranchNode branch:
                    ExecuteBranch(branch, scope, sb);
                    break;
            }
        }
    }

    private void ExecuteBranch(BranchNode branch, Scope scope, StringBuilder sb)
    {
        var mark = scope.Variables.Count;
        var dot = scope.Dot;
        var value = Evaluate(branch.Pipeline, scope);
        try
        {
            switch (branch.Kind)
            {
                case "if":
                    Execute(IsTrue(value) ? branch.Body : branch.Else ?? [], scope, sb);
                    break;
                case "with":
                    if (IsTrue(value))
                    {
                        scope.Dot = value;
                        Execute(branch.Body, scope, sb);
                    }
                    else
                    {
                        Execute(branch.Else ?? [], scope, sb);
                    }
                    break;
                case "range":
                    var items = value switch
                    {
                        null => [],
                        List<object?> list => list,
                        Dictionary<string, object?> map => map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value).ToList(),
                        _ => throw new InvalidOperationException($"range over {value.GetType().Name}"),
                    };
                    if (items.Count == 0)
                    {
                        Execute(branch.Else ?? [], scope, sb);
                    }
                    foreach (var item in items)
                    {
                        scope.Dot = item;
                        Execute(branch.Body, scope, sb);
                        scope.Variables.RemoveRange(mark, scope.Variables.Count - mark);
                    }
                    break;
            }
        }
        finally
        {
            scope.Dot = dot;
            scope.Variables.RemoveRange(mark, scope.Variables.Count - mark);
        }
    }

    private object? Evaluate(Pipeline pipeline, Scope scope)
    {
        object? value = null;
        var first = true;
        foreach (var command in pipeline.Commands)
        {
            value = EvaluateCommand(command, scope, first ? null : new Box(value));
            first = false;
        }
        if (pipeline.Variable is { } name)
        {
            if (pipeline.Declare)
            {
                scope.Variables.Add((name, value));
            }
            else
            {
                var index = scope.Variables.FindLastIndex(v => v.Name == name);
                scope.Variables[index >= 0 ? index : throw new InvalidOperationException($"undefined variable {name}")] = (name, value);
            }
        }
        return value;
    }

    /// <summary>The value piped in from the previous command (null is a value, hence the box).</summary>
    private sealed record Box(object? Value);

    private object? EvaluateCommand(Command command, Scope scope, Box? piped)
    {
        if (command.Operands[0] is IdentifierOperand function)
        {
            var args = command.Operands.Skip(1).Select(o => EvaluateOperand(o, scope)).ToList();
            if (piped is not null)
            {
                args.Add(piped.Value);
            }
            return Call(function.Name, args);
        }
        if (command.Operands.Count != 1 || piped is not null)
        {
            throw new InvalidOperationException("only a function can take arguments or a piped value");
        }
        return EvaluateOperand(command.Operands[0], scope);
    }

    private object? EvaluateOperand(Operand operand, Scope scope)
    {
        switch (operand)
        {
            case LiteralOperand literal:
                return literal.Value;
            case IdentifierOperand identifier:
                return Call(identifier.Name, []);
            case FieldOperand field:
                object? value;
                if (field.Sub is not null)
                {
                    value = Evaluate(field.Sub, scope);
                }
                else if (field.Root is null)
                {
                    value = scope.Dot;
                }
                else
                {
                    var index = scope.Variables.FindLastIndex(v => v.Name == field.Root);
                    value = index >= 0 ? scope.Variables[index].Value : throw new InvalidOperationException($"undefined variable {field.Root}");
                }
                foreach (var name in field.Fields)
                {
                    value = value switch
                    {
                        Dictionary<string, object?> map => map.GetValueOrDefault(name),
                        // Go: "nil pointer evaluating interface {}.name"; Helm fails the render.
                        null => throw new TemplateFailedException($"nil pointer evaluating .{name}"),
                        _ => throw new InvalidOperationException($"can't evaluate field {name} in type {value.GetType().Name}"),
                    };
                }
                return value;
            default:
                throw new InvalidOperationException(operand.ToString());
        }
    }

    private object? Call(string name, List<object?> a)
    {
        switch (name)
        {
            case "include":
                if (!defines.TryGetValue(Str(a[0]), out var body))
                {
                    throw new TemplateFailedException($"no template \"{a[0]}\"");
                }
                if (++_includeDepth > 100)
                {
                    throw new TemplateFailedException("include nested too deeply");
                }
                try
                {
                    return Render(body, a.Count > 1 ? a[1] : null);
                }
                finally
                {
                    _includeDepth--;
                }
            case "default":
                Arity(name, a, 2);
                return IsTrue(a[1]) ? a[1] : a[0];
            case "quote":
                return string.Join(' ', a.Where(v => v is not null).Select(v => GoQuote(Print(v))));
            case "toYaml":
                Arity(name, a, 1);
                return ToYaml(a[0]);
            case "nindent":
                Arity(name, a, 2);
                return "\n" + Indent((int)Num(a[0]), Str(a[1]));
            case "trunc":
                Arity(name, a, 2);
                var s = Str(a[1]);
                var n = (int)Num(a[0]);
                return n >= 0 && s.Length > n ? s[..n] : s;
            case "trimSuffix":
                Arity(name, a, 2);
                return Str(a[1]).EndsWith(Str(a[0]), StringComparison.Ordinal) ? Str(a[1])[..^Str(a[0]).Length] : Str(a[1]);
            case "printf":
                return Printf(Str(a[0]), a.Skip(1).ToList());
            case "contains":
                Arity(name, a, 2);
                return Str(a[1]).Contains(Str(a[0]), StringComparison.Ordinal);
            case "has":
                Arity(name, a, 2);
                return a[1] is List<object?> haystack && haystack.Any(item => Equals(item, a[0]));
            case "hasKey":
                Arity(name, a, 2);
                return a[0] is Dictionary<string, object?> map && map.ContainsKey(Str(a[1]));
            case "ternary":
                Arity(name, a, 3);
                return a[2] is true ? a[0] : a[1];
            case "join":
                Arity(name, a, 2);
                return a[1] is List<object?> items ? string.Join(Str(a[0]), items.Select(Print)) : Print(a[1]);
            case "dict":
                var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
                for (var i = 0; i + 1 < a.Count; i += 2)
                {
                    dict[Str(a[i])] = a[i + 1];
                }
                return dict;
            case "fail":
                throw new TemplateFailedException(Str(a[0]));
            case "and":
                return a.FirstOrDefault(v => !IsTrue(v), a[^1]);
            case "or":
                return a.FirstOrDefault(IsTrue, a[^1]);
            case "not":
                Arity(name, a, 1);
                return !IsTrue(a[0]);
            case "eq":
                // Go's eq compares the first argument with each of the others.
                return a.Skip(1).Any(v => Equals(a[0], v));
            case "list":
                return a.ToList();
            case "lookup":
                Arity(name, a, 4);
                // Helm returns an empty map when the object does not exist (or, offline, always).
                return cluster?.GetValueOrDefault(string.Join('/', a.Select(Str))) ?? new Dictionary<string, object?>(StringComparer.Ordinal);
            case "randAlphaNum":
                Arity(name, a, 1);
                return RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", (int)Num(a[0]));
            case "trim":
                Arity(name, a, 1);
                return Str(a[0]).Trim();
            case "b64enc":
                Arity(name, a, 1);
                return Convert.ToBase64String(Encoding.UTF8.GetBytes(Str(a[0])));
            case "hasPrefix":
                Arity(name, a, 2);
                return Str(a[1]).StartsWith(Str(a[0]), StringComparison.Ordinal);
            case "sha256sum":
                Arity(name, a, 1);
                return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Str(a[0]))));
            default:
                throw new NotSupportedException($"function {name} is outside the subset this renderer supports");
        }
    }

    private static void Arity(string name, List<object?> args, int count)
    {
        if (args.Count != count)
        {
            throw new TemplateFailedException($"wrong number of args for {name}: want {count} got {args.Count}");
        }
    }

    /// <summary>Go's truth: false, 0, nil and empty strings, lists and maps are false.</summary>
    public static bool IsTrue(object? value) => value switch
    {
        null => false,
        bool b => b,
        double d => d != 0,
        string s => s.Length > 0,
        List<object?> l => l.Count > 0,
        Dictionary<string, object?> m => m.Count > 0,
        _ => true,
    };

    /// <summary>How Go prints a value ({{ . }}); Helm turns a missing value into an empty string.</summary>
    public static string Print(object? value) => value switch
    {
        null => "",
        bool b => b ? "true" : "false",
        double d => FormatNumber(d),
        string s => s,
        _ => throw new NotSupportedException($"printing a {value.GetType().Name} is outside the supported subset"),
    };

    private static string FormatNumber(double d)
    {
        // Go's %v of a float64 switches to exponent form from 1e+06 on (a known Helm pitfall); refuse rather than guess.
        if (d == Math.Floor(d) && Math.Abs(d) < 1e6)
        {
            return ((long)d).ToString(CultureInfo.InvariantCulture);
        }
        throw new NotSupportedException($"number {d} would print in a form this renderer does not reproduce; quote it in values");
    }

    private static string Str(object? value) => value as string ?? Print(value);

    private static double Num(object? value) => value is double d ? d : throw new InvalidOperationException($"{value} is not a number");

    private static string Indent(int spaces, string text)
    {
        var pad = new string(' ', spaces);
        return pad + text.Replace("\n", "\n" + pad, StringComparison.Ordinal);
    }

    private static string GoQuote(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in s)
        {
            sb.Append(c switch { '"' => "\\\"", '\\' => "\\\\", '\n' => "\\n", '\t' => "\\t", _ => c.ToString() });
        }
        return sb.Append('"').ToString();
    }

    private static string Printf(string format, List<object?> args)
    {
        var sb = new StringBuilder();
        var next = 0;
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                sb.Append(format[i]);
                continue;
            }
            var verb = format[++i];
            if (verb == '%')
            {
                sb.Append('%');
                continue;
            }
            if (verb is not ('s' or 'd' or 'v'))
            {
                throw new NotSupportedException($"printf verb %{verb} is outside the supported subset");
            }
            sb.Append(Print(args[next++]));
        }
        return sb.ToString();
    }

    /// <summary>Helm's toYaml: the value as YAML without the final newline ("{}" for an empty map, "null" for nil).</summary>
    public static string ToYaml(object? value)
    {
        if (value is null)
        {
            return "null";
        }
        if (value is Dictionary<string, object?> { Count: 0 })
        {
            return "{}";
        }
        if (value is List<object?> { Count: 0 })
        {
            return "[]";
        }
        var serializer = new SerializerBuilder().WithIndentedSequences().WithQuotingNecessaryStrings().Build();
        return serializer.Serialize(Sorted(value)).TrimEnd('\n');
    }

    /// <summary>Keys in order, as Go's JSON encoding of a map writes them; numbers as Go prints them.</summary>
    private static object? Sorted(object? value) => value switch
    {
        Dictionary<string, object?> map => map.OrderBy(p => p.Key, StringComparer.Ordinal)
            .ToDictionary(p => p.Key, p => Sorted(p.Value), StringComparer.Ordinal),
        List<object?> list => list.Select(Sorted).ToList(),
        double d when d == Math.Floor(d) && Math.Abs(d) < 1e6 => (long)d,
        double d => throw new NotSupportedException($"number {d} would print in a form this renderer does not reproduce; quote it in values"),
        _ => value,
    };
}
