namespace Tempora.Web.Pages;

/// <summary>A posted form that cannot be sent to the server as it is; its message says what to change.</summary>
internal sealed class ActionInputException(string message) : Exception(message);
