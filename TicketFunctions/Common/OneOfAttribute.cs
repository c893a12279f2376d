using System.ComponentModel;
using System.Reflection;

namespace TicketFunctions.Common;

/// <summary>
/// The string values a property may take: the static <c>All</c> list of a constants class (such as
/// <c>BookingStatus</c>), the same list that validation and the database checks' tests read. The OpenAPI document
/// shows it as one named enum per constants class (its <see cref="DisplayNameAttribute"/>, or its name).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class OneOfAttribute(Type constants) : Attribute
{
    public Type Constants { get; } = constants;

    public IReadOnlyList<string> Values { get; } = Of(constants);

    /// <summary>The name of the enum in the OpenAPI document.</summary>
    public string SchemaName => Constants.GetCustomAttribute<DisplayNameAttribute>()?.DisplayName ?? Constants.Name;

    public static IReadOnlyList<string> Of(Type constants)
        => constants.GetField("All")?.GetValue(null) as IReadOnlyList<string>
            ?? throw new ArgumentException($"{constants.Name} has no static All list of strings.", nameof(constants));
}

/// <summary>A record that carries its own example: the OpenAPI document shows it and a test sends it to the app.</summary>
public interface IExample<TSelf>
    where TSelf : IExample<TSelf>
{
    static abstract TSelf Example { get; }
}
