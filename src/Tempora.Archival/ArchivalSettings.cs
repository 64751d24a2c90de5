namespace Tempora.Archival;

/// <summary>
/// Temporal's cluster-level <c>archival:</c> and <c>namespaceDefaults:archival:</c> settings, for history and for
/// visibility. Off by default, as on Temporal; a namespace can enable archival only when its kind is enabled here.
/// </summary>
public sealed record ArchivalSettings
{
    public ArchivalKindSettings History { get; init; } = new();

    public ArchivalKindSettings Visibility { get; init; } = new();

    /// <summary>Both kinds on, with both providers and read enabled, no namespace archiving by default (start-dev).</summary>
    public static ArchivalSettings AllProvidersEnabled { get; } = new()
    {
        History = ArchivalKindSettings.AllProvidersEnabled,
        Visibility = ArchivalKindSettings.AllProvidersEnabled,
    };
}

/// <summary>One kind (history or visibility): <c>archival:&lt;kind&gt;:*</c> and <c>namespaceDefaults:archival:&lt;kind&gt;:*</c>.</summary>
public sealed record ArchivalKindSettings
{
    /// <summary><c>state: enabled</c>: namespaces may archive this kind.</summary>
    public bool Enabled { get; init; }

    /// <summary><c>enableRead</c>: archived data is served (GetWorkflowExecutionHistory, ListArchivedWorkflowExecutions).</summary>
    public bool EnableRead { get; init; }

    /// <summary><c>provider:filestore</c>; null: file:// URIs are refused.</summary>
    public FileStoreSettings? FileStore { get; init; }

    /// <summary><c>provider:s3store</c>; null: s3:// URIs are refused.</summary>
    public S3StoreSettings? S3Store { get; init; }

    /// <summary><c>namespaceDefaults:archival:&lt;kind&gt;:state</c>: a namespace registered without a state gets this.</summary>
    public bool NamespaceDefaultEnabled { get; init; }

    /// <summary><c>namespaceDefaults:archival:&lt;kind&gt;:URI</c>: what enabling without a URI uses.</summary>
    public string? NamespaceDefaultUri { get; init; }

    public static ArchivalKindSettings AllProvidersEnabled { get; } = new()
    {
        Enabled = true,
        EnableRead = true,
        FileStore = new FileStoreSettings(),
        S3Store = new S3StoreSettings(),
    };

    /// <summary>The configuration key of the provider a scheme needs, when that provider is not configured; else null.</summary>
    public string? MissingProvider(string scheme, string kind) => scheme switch
    {
        ArchivalUri.File when FileStore is null => $"archival:{kind}:provider:filestore",
        ArchivalUri.S3 when S3Store is null => $"archival:{kind}:provider:s3store",
        _ => null,
    };
}

/// <summary>
/// <c>provider:filestore</c>: Unix permissions of the files and directories written (Temporal's <c>fileMode</c>
/// "0666" and <c>dirMode</c> "0766", octal), taken as given and then narrowed by the process's umask.
/// </summary>
public sealed record FileStoreSettings(UnixFileMode FileMode = FileStoreSettings.DefaultFileMode, UnixFileMode DirMode = FileStoreSettings.DefaultDirMode)
{
    public const UnixFileMode DefaultFileMode = (UnixFileMode)438; // 0666
    public const UnixFileMode DefaultDirMode = (UnixFileMode)502; // 0766
}

/// <summary>
/// <c>provider:s3store</c>: any S3-compatible store. <see cref="Endpoint"/> null means AWS itself; credentials come
/// from the AWS SDK's default chain (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, profiles, instance roles).
/// </summary>
public sealed record S3StoreSettings(string? Region = null, string? Endpoint = null, bool ForcePathStyle = false);
