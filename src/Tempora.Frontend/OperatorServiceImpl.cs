namespace Tempora.Frontend;

/// <summary>
/// OperatorService. Search attributes, namespace deletion and the rest arrive with visibility (a later issue);
/// until then every method answers Unimplemented through <see cref="ServiceBinder{TService}"/>.
/// </summary>
public sealed class OperatorServiceImpl;
