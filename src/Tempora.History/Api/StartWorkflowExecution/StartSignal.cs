using Temporalio.Api.Common.V1;

namespace Tempora.History.Api;

/// <summary>A signal delivered together with the start (signal-with-start).</summary>
internal sealed record StartSignal(string Name, Payloads? Input, Header? Header);
