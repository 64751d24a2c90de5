using System.Text;
using Google.Protobuf.Reflection;

namespace Tempora.Frontend.Http;

/// <summary>An enum value by its proto name, or by the CamelCase short form Temporal's JSON also reads.</summary>
internal static class EnumNames
{
    public static EnumValueDescriptor? Find(EnumDescriptor descriptor, string text) =>
        descriptor.FindValueByName(text) ?? descriptor.FindValueByName(ScreamingSnake(descriptor.Name + "_" + text));

    /// <summary>WorkflowIdReusePolicy_RejectDuplicate → WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE.</summary>
    private static string ScreamingSnake(string name)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var boundary = i > 0 && char.IsUpper(c) && name[i - 1] != '_'
                && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1])));
            if (boundary)
            {
                builder.Append('_');
            }
            builder.Append(char.ToUpperInvariant(c));
        }
        return builder.ToString();
    }
}
