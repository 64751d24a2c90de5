using System.Globalization;
using System.Text;

namespace Tempora.Deploy.Tests.Helm;

/// <summary>A node of a parsed Go template.</summary>
internal abstract record TemplateNode;

internal sealed record TextNode(string Text) : TemplateNode;

/// <summary>{{ pipeline }}: prints the value (or only declares/assigns a variable when <see cref="Pipeline.Variable"/> is set).</summary>
internal sealed record ActionNode(Pipeline Pipeline) : TemplateNode;

/// <summary>if / with / range; <see cref="Kind"/> is the keyword. Else holds the else branch (an "else if" is a nested IfNode).</summary>
internal sealed record BranchNode(string Kind, Pipeline Pipeline, IReadOnlyList<TemplateNode> Body, IReadOnlyList<TemplateNode>? Else) : TemplateNode;

/// <summary>A pipeline: commands joined by '|', optionally declaring ($x :=) or assigning ($x =) a variable.</summary>
internal sealed record Pipeline(IReadOnlyList<Command> Commands, string? Variable, bool Declare);

/// <summary>One command: a function name followed by arguments, or a single operand.</summary>
internal sealed record Command(IReadOnlyList<Operand> Operands);

internal abstract record Operand;

internal sealed record LiteralOperand(object? Value) : Operand;

/// <summary>A function name (an identifier without a dot).</summary>
internal sealed record IdentifierOperand(string Name) : Operand;

/// <summary>.A.B (Root null: the dot), $x.A.B (Root "$x"), or ( pipeline ).A.B (Sub set).</summary>
internal sealed record FieldOperand(string? Root, Pipeline? Sub, IReadOnlyList<string> Fields) : Operand;

/// <summary>
/// Parses the part of Go's text/template language the chart uses: text, {{- -}} trimming, comments, actions with
/// pipelines, variables, parentheses, string/number/bool/nil literals, if / else if / else, with, range, define.
/// Anything else (template, block, break, continue, range with index variables) is refused with an exception, so the
/// test fails instead of rendering something Helm would not.
/// </summary>
internal sealed class TemplateParser
{
    private readonly List<(bool IsAction, string Text)> _tokens;
    private int _position;

    private TemplateParser(string source) => _tokens = Tokenize(source);

    /// <summary>The top-level nodes of <paramref name="source"/>; define blocks go to <paramref name="defines"/>.</summary>
    public static IReadOnlyList<TemplateNode> Parse(string source, IDictionary<string, IReadOnlyList<TemplateNode>> defines)
    {
        var parser = new TemplateParser(source);
        var nodes = parser.ParseList(defines, out var terminator);
        if (terminator is not null)
        {
            throw new FormatException($"unexpected {{{{{terminator}}}}}");
        }
        return nodes;
    }

    private List<TemplateNode> ParseList(IDictionary<string, IReadOnlyList<TemplateNode>> defines, out string? terminator)
    {
        var nodes = new List<TemplateNode>();
        while (_position < _tokens.Count)
        {
            var (isAction, text) = _tokens[_position++];
            if (!isAction)
            {
                nodes.Add(new TextNode(text));
                continue;
            }
            var keyword = FirstWord(text);
            switch (keyword)
            {
                case "end":
                case "else":
                    terminator = text;
                    return nodes;
                case "if":
                case "with":
                case "range":
                    nodes.Add(ParseBranch(keyword, text[keyword.Length..], defines));
                    break;
                case "define":
                    var name = (string)new PipelineReader(text["define".Length..]).ReadPipeline().Commands[0].Operands.OfType<LiteralOperand>().Single().Value!;
                    defines[name] = ParseList(defines, out var end) is var body && end == "end"
                        ? body
                        : throw new FormatException($"define {name} is not closed by end");
                    break;
                case "template":
                case "block":
                case "break":
                case "continue":
                    throw new NotSupportedException($"{{{{{keyword}}}}} is outside the subset this renderer supports");
                default:
                    nodes.Add(new ActionNode(new PipelineReader(text).ReadPipeline()));
                    break;
            }
        }
        terminator = null;
        return nodes;
    }

    private BranchNode ParseBranch(string keyword, string pipelineText, IDictionary<string, IReadOnlyList<TemplateNode>> defines)
    {
        var pipeline = new PipelineReader(pipelineText).ReadPipeline();
        if (keyword == "range" && pipeline.Variable is not null)
        {
            throw new NotSupportedException("range with variables is outside the supported subset");
        }
        var body = ParseList(defines, out var terminator);
        IReadOnlyList<TemplateNode>? elseNodes = null;
        if (terminator is not null && FirstWord(terminator) == "else")
        {
            var rest = terminator["else".Length..].Trim();
            if (rest.StartsWith("if", StringComparison.Ordinal) && (rest.Length == 2 || char.IsWhiteSpace(rest[2])))
            {
                // else if: the nested if consumes the shared {{end}}.
                elseNodes = [ParseBranch("if", rest[2..], defines)];
                return new BranchNode(keyword, pipeline, body, elseNodes);
            }
            elseNodes = ParseList(defines, out terminator);
        }
        if (terminator is null || FirstWord(terminator) != "end")
        {
            throw new FormatException($"{{{{{keyword}}}}} is not closed by {{{{end}}}}");
        }
        return new BranchNode(keyword, pipeline, body, elseNodes);
    }

    private static string FirstWord(string action)
    {
        var trimmed = action.TrimStart();
        var end = 0;
        while (end < trimmed.Length && char.IsLetter(trimmed[end]))
        {
            end++;
        }
        return trimmed[..end];
    }

    /// <summary>Splits the source into text and action tokens, applying the {{- and -}} whitespace trimming and dropping comments.</summary>
    private static List<(bool IsAction, string Text)> Tokenize(string source)
    {
        var tokens = new List<(bool, string)>();
        var position = 0;
        var trimNext = false;
        while (position < source.Length)
        {
            var open = source.IndexOf("{{", position, StringComparison.Ordinal);
            var text = open < 0 ? source[position..] : source[position..open];
            if (trimNext)
            {
                text = text.TrimStart(' ', '\t', '\r', '\n');
            }
            if (open < 0)
            {
                if (text.Length > 0)
                {
                    tokens.Add((false, text));
                }
                break;
            }
            var start = open + 2;
            var trimLeft = start + 1 < source.Length && source[start] == '-' && char.IsWhiteSpace(source[start + 1]);
            if (trimLeft)
            {
                text = text.TrimEnd(' ', '\t', '\r', '\n');
                start += 2;
            }
            if (text.Length > 0)
            {
                tokens.Add((false, text));
            }
            var close = FindClose(source, start);
            var inner = source[start..close];
            trimNext = inner.Length >= 2 && inner[^1] == '-' && char.IsWhiteSpace(inner[^2]);
            if (trimNext)
            {
                inner = inner[..^2];
            }
            var content = inner.Trim();
            if (!(content.StartsWith("/*", StringComparison.Ordinal) && content.EndsWith("*/", StringComparison.Ordinal)))
            {
                tokens.Add((true, content));
            }
            position = close + 2;
        }
        return tokens;
    }

    /// <summary>The index of the "}}" that closes the action starting at <paramref name="start"/> (skipping strings and comments).</summary>
    private static int FindClose(string source, int start)
    {
        var i = start;
        while (i < source.Length - 1)
        {
            var c = source[i];
            if (c == '/' && source[i + 1] == '*')
            {
                var end = source.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? throw new FormatException("unclosed comment") : end + 2;
                continue;
            }
            if (c is '"' or '`')
            {
                i++;
                while (i < source.Length && source[i] != c)
                {
                    i += c == '"' && source[i] == '\\' ? 2 : 1;
                }
                i++;
                continue;
            }
            if (c == '}' && source[i + 1] == '}')
            {
                return i;
            }
            i++;
        }
        throw new FormatException("unclosed action");
    }

    /// <summary>Reads one pipeline from the text of an action.</summary>
    private sealed class PipelineReader(string text)
    {
        private int _i;

        public Pipeline ReadPipeline(bool nested = false)
        {
            SkipSpace();
            string? variable = null;
            var declare = false;
            // $x := … or $x = …
            if (Peek() == '$')
            {
                var save = _i;
                var name = ReadVariableName();
                SkipSpace();
                if (Peek() == ':' && PeekAt(1) == '=')
                {
                    _i += 2;
                    variable = name;
                    declare = true;
                }
                else if (Peek() == '=' && PeekAt(1) != '=')
                {
                    _i += 1;
                    variable = name;
                }
                else
                {
                    _i = save;
                }
            }
            var commands = new List<Command>();
            var operands = new List<Operand>();
            while (true)
            {
                SkipSpace();
                var c = Peek();
                if (c == '\0' || (nested && c == ')'))
                {
                    break;
                }
                if (c == '|')
                {
                    _i++;
                    commands.Add(new Command(operands));
                    operands = [];
                    continue;
                }
                operands.Add(ReadOperand());
            }
            if (operands.Count == 0)
            {
                throw new FormatException($"empty command in '{text}'");
            }
            commands.Add(new Command(operands));
            return new Pipeline(commands, variable, declare);
        }

        private Operand ReadOperand()
        {
            var c = Peek();
            if (c == '(')
            {
                _i++;
                var sub = ReadPipeline(nested: true);
                if (Peek() != ')')
                {
                    throw new FormatException($"unclosed parenthesis in '{text}'");
                }
                _i++;
                return new FieldOperand(null, sub, ReadFields());
            }
            if (c == '"')
            {
                return new LiteralOperand(ReadQuoted());
            }
            if (c == '`')
            {
                var end = text.IndexOf('`', _i + 1);
                var value = text[(_i + 1)..end];
                _i = end + 1;
                return new LiteralOperand(value);
            }
            if (c == '.')
            {
                return new FieldOperand(null, null, ReadFields());
            }
            if (c == '$')
            {
                return new FieldOperand(ReadVariableName(), null, ReadFields());
            }
            if (char.IsDigit(c) || (c == '-' && char.IsDigit(PeekAt(1))))
            {
                var start = _i;
                _i++;
                while (char.IsDigit(Peek()) || Peek() == '.')
                {
                    _i++;
                }
                return new LiteralOperand(double.Parse(text[start.._i], CultureInfo.InvariantCulture));
            }
            var word = ReadWord();
            return word switch
            {
                "true" => new LiteralOperand(true),
                "false" => new LiteralOperand(false),
                "nil" => new LiteralOperand(null),
                "" => throw new FormatException($"unexpected '{c}' in '{text}'"),
                _ => new IdentifierOperand(word),
            };
        }

        private List<string> ReadFields()
        {
            var fields = new List<string>();
            while (Peek() == '.')
            {
                _i++;
                var name = ReadWord();
                if (name.Length > 0)
                {
                    fields.Add(name);
                }
            }
            return fields;
        }

        private string ReadQuoted()
        {
            var sb = new StringBuilder();
            _i++;
            while (Peek() != '"')
            {
                var c = text[_i++];
                if (c == '\\')
                {
                    var e = text[_i++];
                    sb.Append(e switch { 'n' => '\n', 't' => '\t', '"' => '"', '\\' => '\\', _ => throw new FormatException($"escape \\{e} is not supported") });
                }
                else
                {
                    sb.Append(c);
                }
            }
            _i++;
            return sb.ToString();
        }

        private string ReadVariableName()
        {
            var start = _i;
            _i++;
            while (char.IsLetterOrDigit(Peek()) || Peek() == '_')
            {
                _i++;
            }
            return text[start.._i];
        }

        private string ReadWord()
        {
            var start = _i;
            while (char.IsLetterOrDigit(Peek()) || Peek() == '_')
            {
                _i++;
            }
            return text[start.._i];
        }

        private void SkipSpace()
        {
            while (char.IsWhiteSpace(Peek()))
            {
                _i++;
            }
        }

        private char Peek() => _i < text.Length ? text[_i] : '\0';

        private char PeekAt(int offset) => _i + offset < text.Length ? text[_i + offset] : '\0';
    }
}
