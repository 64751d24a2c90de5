using System.Text.Json;
using Google.Protobuf;
using Tempora.Core.Errors;

namespace Tempora.Visibility;

/// <summary>Page sizes and the page tokens of the list RPCs: a token is the JSON of the cursor where the page ended.</summary>
internal static class PageTokens
{
    public const int DefaultPageSize = 1000;

    public static int PageSize(int requested) => requested <= 0 || requested > DefaultPageSize ? DefaultPageSize : requested;

    public static ByteString Token(VisibilityCursor? next) =>
        next is null ? ByteString.Empty : ByteString.CopyFrom(JsonSerializer.SerializeToUtf8Bytes(next));

    public static VisibilityCursor? Cursor(ByteString token)
    {
        if (token.IsEmpty)
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<VisibilityCursor>(token.Span) ?? throw new JsonException();
        }
        catch (JsonException)
        {
            throw new InvalidArgumentException("Invalid NextPageToken.");
        }
    }
}
