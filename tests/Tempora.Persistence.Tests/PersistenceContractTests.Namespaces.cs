using Google.Protobuf.WellKnownTypes;
using Tempora.Core.Errors;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Namespace.V1;

namespace Tempora.Persistence.Tests;

/// <summary>The namespace registry.</summary>
public abstract partial class PersistenceContractTests
{
    private static NamespaceRecord Namespace(string name, TimeSpan retention) => new(
        Guid.NewGuid().ToString(),
        name,
        new NamespaceInfo
        {
            Name = name,
            State = NamespaceState.Registered,
            Description = $"The {name} namespace",
            OwnerEmail = "owner@example.com",
            Data = { ["team"] = "payments", ["tier"] = "1" },
        },
        new NamespaceConfig
        {
            WorkflowExecutionRetentionTtl = Duration.FromTimeSpan(retention),
            HistoryArchivalState = ArchivalState.Disabled,
            VisibilityArchivalState = ArchivalState.Disabled,
            CustomSearchAttributeAliases = { ["Keyword01"] = "CustomerId" },
        });

    [Fact]
    public async Task Namespaces_CreateGetListUpdate_RoundTripTheProtos()
    {
        var namespaces = Store.Namespaces;
        var beta = Namespace("beta", TimeSpan.FromDays(3));
        var alpha = Namespace("alpha", TimeSpan.FromHours(36));
        var gamma = Namespace("gamma", TimeSpan.FromDays(30));
        Assert.Empty(await namespaces.ListAsync(Ct));

        foreach (var ns in new[] { beta, gamma, alpha })
        {
            await namespaces.CreateAsync(ns, Ct);
        }

        Assert.Equal(beta, await namespaces.GetByNameAsync("beta", Ct));
        Assert.Equal(beta, await namespaces.GetByIdAsync(beta.Id, Ct));
        Assert.Equal(TimeSpan.FromDays(3), (await namespaces.GetByIdAsync(beta.Id, Ct))!.Config.WorkflowExecutionRetentionTtl.ToTimeSpan());
        Assert.Null(await namespaces.GetByNameAsync("delta", Ct));
        Assert.Null(await namespaces.GetByIdAsync("no-such-id", Ct));
        Assert.Null(await namespaces.GetByNameAsync(beta.Id, Ct)); // names and ids are separate keys
        Assert.Equal(new[] { alpha, beta, gamma }, await namespaces.ListAsync(Ct));

        var updatedInfo = beta.Info.Clone();
        updatedInfo.Description = "updated";
        updatedInfo.Data["tier"] = "2";
        var updatedConfig = beta.Config.Clone();
        updatedConfig.WorkflowExecutionRetentionTtl = Duration.FromTimeSpan(TimeSpan.FromDays(7));
        updatedConfig.HistoryArchivalState = ArchivalState.Enabled;
        updatedConfig.HistoryArchivalUri = "file:///tmp/archive";
        var updated = beta with { Info = updatedInfo, Config = updatedConfig };
        await namespaces.UpdateAsync(updated, Ct);

        Assert.Equal(updated, await namespaces.GetByIdAsync(beta.Id, Ct));
        Assert.Equal(updated, await namespaces.GetByNameAsync("beta", Ct));
        Assert.Equal(TimeSpan.FromDays(7), (await namespaces.GetByNameAsync("beta", Ct))!.Config.WorkflowExecutionRetentionTtl.ToTimeSpan());
        Assert.Equal(new[] { alpha, updated, gamma }, await namespaces.ListAsync(Ct));
    }

    [Fact]
    public async Task Namespaces_DuplicateName_ThrowsNamespaceAlreadyExists_AndKeepsTheFirst()
    {
        var namespaces = Store.Namespaces;
        var first = Namespace("orders", TimeSpan.FromDays(1));
        await namespaces.CreateAsync(first, Ct);

        var duplicate = Namespace("orders", TimeSpan.FromDays(9));
        await Assert.ThrowsAsync<NamespaceAlreadyExistsException>(() => namespaces.CreateAsync(duplicate, Ct));

        Assert.Equal(first, await namespaces.GetByNameAsync("orders", Ct));
        Assert.Null(await namespaces.GetByIdAsync(duplicate.Id, Ct));
        Assert.Equal(new[] { first }, await namespaces.ListAsync(Ct));
    }
}
