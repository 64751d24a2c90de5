using System.CommandLine;
using Tempora.Cli;

var root = new RootCommand("Tempora: a workflow server that speaks Temporal's gRPC API.")
{
    new StartDevCommand(),
    new StartCommand(),
    new SchemaCommand(),
    new HealthCommand(),
};

// start-dev owns Ctrl+C and SIGTERM (ShutdownSignal). System.CommandLine's own handling would end the process with
// exit code 130/143 two seconds after the signal, cutting a graceful stop short, so it is switched off.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null };
return await root.Parse(args).InvokeAsync(invocation);
