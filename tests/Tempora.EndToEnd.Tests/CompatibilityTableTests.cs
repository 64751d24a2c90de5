using Google.Protobuf.Reflection;
using Tempora.Frontend;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// docs/compatibility.md's RPC table lists every RPC of the package's two services once, and says "served" exactly
/// for those the server has a handler for (the list <see cref="ImplementedRpcTests"/> pins), so the page cannot drift.
/// </summary>
public sealed class CompatibilityTableTests
{
    [Fact]
    public void RpcTable_ListsEveryRpcOnce_ServedExactlyWhereAHandlerIs()
    {
        var tables = RpcTables(File.ReadAllLines(Path.Combine(RepoRoot(), "docs", "compatibility.md")));
        var services = new (ServiceDescriptor Descriptor, IReadOnlyList<string> Implemented)[]
        {
            (Temporalio.Api.WorkflowService.V1.ServiceReflection.Descriptor.Services[0],
                new ServiceBinder<WorkflowServiceImpl>(Temporalio.Api.WorkflowService.V1.ServiceReflection.Descriptor.Services[0]).ImplementedMethods()),
            (Temporalio.Api.OperatorService.V1.ServiceReflection.Descriptor.Services[0],
                new ServiceBinder<OperatorServiceImpl>(Temporalio.Api.OperatorService.V1.ServiceReflection.Descriptor.Services[0]).ImplementedMethods()),
        };
        var wrong = new List<string>();
        foreach (var (descriptor, implemented) in services)
        {
            Assert.True(tables.TryGetValue(descriptor.Name, out var rows), $"no table for {descriptor.Name}");
            Assert.Equal(descriptor.Methods.Select(m => m.Name).Order(), rows.Select(r => r.Rpc).Order());
            foreach (var (rpc, tempora) in rows)
            {
                var served = tempora.StartsWith("served", StringComparison.Ordinal);
                if (served != (implemented.Contains(rpc)))
                {
                    wrong.Add($"{descriptor.Name}.{rpc}: the page says \"{tempora}\"");
                }
            }
        }
        Assert.Empty(wrong);
    }

    /// <summary>The rows of the "## RPCs" section, by the service named in each "### Service (N RPCs)" heading.</summary>
    private static Dictionary<string, List<(string Rpc, string Tempora)>> RpcTables(string[] lines)
    {
        var tables = new Dictionary<string, List<(string, string)>>();
        List<(string, string)>? current = null;
        var inSection = false;
        foreach (var line in lines)
        {
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                inSection = line == "## RPCs";
                current = null;
            }
            else if (inSection && line.StartsWith("### ", StringComparison.Ordinal))
            {
                current = tables[line[4..].Split(' ')[0]] = [];
            }
            else if (current is not null && line.StartsWith("| `", StringComparison.Ordinal))
            {
                var cells = line.Split('|', StringSplitOptions.TrimEntries);
                current.Add((cells[1].Trim('`'), cells[3]));
            }
        }
        return tables;
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Tempora.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No Tempora.slnx above {AppContext.BaseDirectory}.");
    }
}
