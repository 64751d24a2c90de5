using Tempora.Core.Errors;

namespace Tempora.Archival;

/// <summary>
/// Where a namespace archives: <c>file:///absolute/dir</c> or <c>s3://bucket[/prefix]</c> (the two schemes Temporal's
/// own providers take). <see cref="Location"/> is the directory or the bucket, <see cref="Prefix"/> the key prefix
/// inside a bucket ("" for none).
/// </summary>
public sealed record ArchivalUri(string Scheme, string Location, string Prefix)
{
    public const string File = "file";
    public const string S3 = "s3";

    /// <summary>Parses <paramref name="uri"/>; anything else is refused with InvalidArgument naming <paramref name="field"/>.</summary>
    public static ArchivalUri Parse(string uri, string field)
    {
        var separator = uri.IndexOf("://", StringComparison.Ordinal);
        if (separator <= 0)
        {
            throw new InvalidArgumentException($"Invalid archival URI {uri} ({field}): expected file:///absolute/dir or s3://bucket[/prefix].");
        }
        var scheme = uri[..separator];
        var rest = uri[(separator + 3)..];
        switch (scheme)
        {
            case File:
                // file:///dir: an empty host and an absolute path, as Temporal's filestore archiver wants.
                if (!rest.StartsWith('/') || rest.Length < 2 || rest.Contains('\0', StringComparison.Ordinal))
                {
                    throw new InvalidArgumentException($"Invalid archival URI {uri} ({field}): a file URI names an absolute directory, as file:///var/archive.");
                }
                return new ArchivalUri(File, rest.TrimEnd('/') is { Length: > 0 } dir ? dir : "/", "");
            case S3:
                var slash = rest.IndexOf('/', StringComparison.Ordinal);
                var bucket = slash < 0 ? rest : rest[..slash];
                var prefix = slash < 0 ? "" : rest[(slash + 1)..].Trim('/');
                if (bucket.Length is < 3 or > 63 || bucket.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.')))
                {
                    throw new InvalidArgumentException($"Invalid archival URI {uri} ({field}): \"{bucket}\" is not an S3 bucket name (3 to 63 lower-case letters, digits, '-' or '.').");
                }
                return new ArchivalUri(S3, bucket, prefix);
            default:
                throw new InvalidArgumentException($"Invalid archival URI {uri} ({field}): scheme \"{scheme}\" is not supported; use file:// or s3://.");
        }
    }
}
