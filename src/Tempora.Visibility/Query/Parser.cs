namespace Tempora.Visibility.Query;

/// <summary>
/// Recursive descent over the tokens:
/// <code>
/// query      := [or] [GROUP BY name] END
/// or         := and (OR and)*
/// and        := unary (AND unary)*
/// unary      := NOT unary | '(' or ')' | predicate
/// predicate  := name ('=' | '!=' | '&lt;&gt;' | '&lt;' | '&gt;' | '&lt;=' | '&gt;=') value
///             | name [NOT] IN '(' value (',' value)* ')'
///             | name [NOT] BETWEEN value AND value
///             | name [NOT] STARTS_WITH value
///             | name IS [NOT] NULL
/// name       := word | `back-quoted`
/// value      := string | integer | decimal | TRUE | FALSE
/// </code>
/// Keywords are case-insensitive; names are case-sensitive. Nesting (parentheses and NOT) is limited so that a
/// hostile query cannot exhaust the stack.
/// </summary>
internal sealed class Parser
{
    public const int MaxDepth = 100;

    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "AND", "OR", "NOT", "IN", "BETWEEN", "IS", "NULL", "TRUE", "FALSE", "STARTS_WITH", "LIKE", "ORDER", "GROUP",
        "BY", "LIMIT", "SELECT", "FROM", "WHERE", "UNION", "HAVING", "OFFSET", "ESCAPE", "EXISTS",
    };

    private readonly List<Token> _tokens;
    private int _next;
    private int _depth;

    private Parser(List<Token> tokens) => _tokens = tokens;

    public static ParsedQuery Parse(string query)
    {
        var parser = new Parser(Lexer.Tokenize(query));
        return parser.ParseQuery();
    }

    private Token Peek => _tokens[_next];

    private Token PeekAt(int offset) => _tokens[Math.Min(_next + offset, _tokens.Count - 1)];

    private Token Take() => _tokens[_next++];

    private ParsedQuery ParseQuery()
    {
        FilterNode? filter = null;
        if (Peek.Kind != TokenKind.End && !Peek.IsKeyword("GROUP") && !Peek.IsKeyword("ORDER"))
        {
            filter = ParseOr();
        }
        Token? groupBy = null;
        if (Peek.IsKeyword("GROUP"))
        {
            var group = Take();
            if (!Peek.IsKeyword("BY"))
            {
                throw Errors.At(group.Position, "expected BY after GROUP");
            }
            Take();
            groupBy = TakeName("after GROUP BY");
            if (Peek.Kind == TokenKind.Comma)
            {
                throw Errors.At(Peek.Position, "GROUP BY supports only a single field");
            }
        }
        CheckUnsupportedClause(Peek);
        if (Peek.Kind != TokenKind.End)
        {
            throw Unexpected(Peek);
        }
        return new ParsedQuery(filter, groupBy);
    }

    private FilterNode ParseOr()
    {
        var first = ParseAnd();
        if (!Peek.IsKeyword("OR"))
        {
            return first;
        }
        var operands = new List<FilterNode> { first };
        while (Peek.IsKeyword("OR"))
        {
            Take();
            operands.Add(ParseAnd());
        }
        return new OrNode(operands);
    }

    private FilterNode ParseAnd()
    {
        var first = ParseUnary();
        if (!Peek.IsKeyword("AND"))
        {
            return first;
        }
        var operands = new List<FilterNode> { first };
        while (Peek.IsKeyword("AND"))
        {
            Take();
            operands.Add(ParseUnary());
        }
        return new AndNode(operands);
    }

    private FilterNode ParseUnary()
    {
        var token = Peek;
        if (token.IsKeyword("NOT"))
        {
            Take();
            Enter(token);
            var operand = ParseUnary();
            _depth--;
            return new NotNode(operand);
        }
        if (token.Kind == TokenKind.LeftParen)
        {
            Take();
            Enter(token);
            if (Peek.IsKeyword("SELECT"))
            {
                throw Errors.At(Peek.Position, "sub-queries are not supported");
            }
            var inner = ParseOr();
            if (Peek.Kind != TokenKind.RightParen)
            {
                throw Peek.Kind == TokenKind.End
                    ? Errors.At(token.Position, "unclosed parenthesis")
                    : Unexpected(Peek, "expected ')'");
            }
            Take();
            _depth--;
            return inner;
        }
        return ParsePredicate();
    }

    private void Enter(Token token)
    {
        if (++_depth > MaxDepth)
        {
            throw Errors.At(token.Position, $"expression nested deeper than {MaxDepth} levels");
        }
    }

    private FilterNode ParsePredicate()
    {
        var name = TakeName("");
        if (Peek.Kind == TokenKind.LeftParen)
        {
            throw Errors.At(name.Position, $"function call {Errors.Quote(name.Text + "(")}", "functions are not supported");
        }
        var op = Peek;
        if (op.Kind == TokenKind.Operator)
        {
            Take();
            return new ComparisonNode(name, op, TakeValue(op));
        }
        if (op.IsKeyword("NOT"))
        {
            Take();
            var negatedOp = Peek;
            if (negatedOp.IsKeyword("IN"))
            {
                Take();
                return new InNode(name, true, TakeValueList(negatedOp));
            }
            if (negatedOp.IsKeyword("BETWEEN"))
            {
                Take();
                return TakeBetween(name, negatedOp, true);
            }
            if (negatedOp.IsKeyword("STARTS_WITH"))
            {
                Take();
                return new StartsWithNode(name, true, TakeValue(negatedOp));
            }
            if (negatedOp.IsKeyword("LIKE"))
            {
                throw Errors.At(negatedOp.Position, "LIKE is not supported", "use STARTS_WITH or NOT STARTS_WITH");
            }
            throw Unexpected(negatedOp, "expected IN, BETWEEN or STARTS_WITH after NOT");
        }
        if (op.IsKeyword("IN"))
        {
            Take();
            return new InNode(name, false, TakeValueList(op));
        }
        if (op.IsKeyword("BETWEEN"))
        {
            Take();
            return TakeBetween(name, op, false);
        }
        if (op.IsKeyword("STARTS_WITH"))
        {
            Take();
            return new StartsWithNode(name, false, TakeValue(op));
        }
        if (op.IsKeyword("IS"))
        {
            Take();
            var negated = false;
            if (Peek.IsKeyword("NOT"))
            {
                Take();
                negated = true;
            }
            if (!Peek.IsKeyword("NULL"))
            {
                throw Unexpected(Peek, "IS can only be used as IS NULL or IS NOT NULL");
            }
            Take();
            return new IsNullNode(name, negated);
        }
        if (op.IsKeyword("LIKE"))
        {
            throw Errors.At(op.Position, "LIKE is not supported", "use STARTS_WITH or NOT STARTS_WITH");
        }
        if (op.Kind == TokenKind.End)
        {
            throw Errors.At(name.Position, $"incomplete expression: expected an operator after {Errors.Quote(name.Text)}");
        }
        CheckUnsupportedClause(op);
        throw Unexpected(op, $"expected an operator after {Errors.Quote(name.Text)}");
    }

    private BetweenNode TakeBetween(Token name, Token op, bool negated)
    {
        var from = TakeValue(op);
        if (!Peek.IsKeyword("AND"))
        {
            throw Unexpected(Peek, "expected AND in BETWEEN ... AND ...");
        }
        Take();
        return new BetweenNode(name, negated, from, TakeValue(op));
    }

    private List<Token> TakeValueList(Token op)
    {
        if (Peek.Kind != TokenKind.LeftParen)
        {
            throw Unexpected(Peek, $"expected '(' after {op.Text.ToUpperInvariant()}");
        }
        Take();
        if (Peek.IsKeyword("SELECT"))
        {
            throw Errors.At(Peek.Position, "sub-queries are not supported");
        }
        if (Peek.Kind == TokenKind.RightParen)
        {
            throw Errors.At(Peek.Position, "empty IN list");
        }
        var values = new List<Token>();
        while (true)
        {
            values.Add(TakeValue(op));
            if (Peek.Kind == TokenKind.Comma)
            {
                Take();
                continue;
            }
            if (Peek.Kind == TokenKind.RightParen)
            {
                Take();
                return values;
            }
            throw Peek.Kind == TokenKind.End ? Errors.At(op.Position, "unclosed IN list") : Unexpected(Peek, "expected ',' or ')' in IN list");
        }
    }

    private Token TakeName(string context)
    {
        var token = Peek;
        var where = context.Length == 0 ? "" : " " + context;
        switch (token.Kind)
        {
            case TokenKind.QuotedName:
                return Take();
            case TokenKind.Word when !Reserved.Contains(token.Text):
                return Take();
            case TokenKind.Word:
                CheckUnsupportedClause(token);
                throw Unexpected(token, $"expected a search attribute name{where}");
            case TokenKind.String:
                throw Errors.At(token.Position, $"expected a search attribute name{where} but found {Errors.Describe(token)}",
                    "names are not quoted; use back-quotes: `Name`");
            case TokenKind.End:
                throw Errors.At(token.Position, $"incomplete expression: expected a search attribute name{where}");
            default:
                throw Unexpected(token, $"expected a search attribute name{where}");
        }
    }

    private Token TakeValue(Token op)
    {
        var token = Peek;
        switch (token.Kind)
        {
            case TokenKind.String or TokenKind.Integer or TokenKind.Decimal:
                return Take();
            case TokenKind.Word when token.IsKeyword("TRUE") || token.IsKeyword("FALSE"):
                return Take();
            case TokenKind.Word when token.IsKeyword("NULL"):
                throw Errors.At(token.Position, "NULL is not a value to compare with", "use IS NULL or IS NOT NULL");
            case TokenKind.Word when token.IsKeyword("SELECT"):
                throw Errors.At(token.Position, "sub-queries are not supported");
            case TokenKind.Word or TokenKind.QuotedName when !Reserved.Contains(token.Text) || token.Kind == TokenKind.QuotedName:
                if (PeekAt(1).Kind == TokenKind.LeftParen)
                {
                    throw Errors.At(token.Position, $"function call {Errors.Quote(token.Text + "(")}", "functions are not supported");
                }
                throw Errors.At(token.Position, $"{Errors.Quote(token.Text)} is a name, not a value",
                    $"comparing search attributes with each other is not supported; did you forget to quote {Errors.Quote(token.Text)}?");
            case TokenKind.LeftParen when PeekAt(1).IsKeyword("SELECT"):
                throw Errors.At(token.Position, "sub-queries are not supported");
            case TokenKind.End:
                throw Errors.At(token.Position, $"incomplete expression: expected a value after {Errors.Quote(op.Text)}");
            default:
                throw Unexpected(token, $"expected a value after {Errors.Quote(op.Text)}");
        }
    }

    private static void CheckUnsupportedClause(Token token)
    {
        if (token.IsKeyword("ORDER"))
        {
            throw Errors.At(token.Position, "ORDER BY is not supported");
        }
        if (token.IsKeyword("LIMIT") || token.IsKeyword("OFFSET"))
        {
            throw Errors.At(token.Position, $"{token.Text.ToUpperInvariant()} is not supported");
        }
        if (token.IsKeyword("SELECT") || token.IsKeyword("UNION") || token.IsKeyword("FROM") || token.IsKeyword("WHERE") ||
            token.IsKeyword("HAVING") || token.IsKeyword("EXISTS"))
        {
            throw Errors.At(token.Position, $"{token.Text.ToUpperInvariant()} is not supported", "a query is only a filter expression");
        }
    }

    private static InvalidQueryException Unexpected(Token token, string? expected = null) =>
        token.Kind == TokenKind.End
            ? Errors.At(token.Position, "unexpected end of query", expected)
            : Errors.At(token.Position, $"unexpected token {Errors.Describe(token)}", expected);
}
