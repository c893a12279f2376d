// Mirrors Microsoft.Azure.Functions.Worker.Extensions.Abstractions 1.3.0.
namespace Microsoft.Azure.Functions.Worker;

/// <summary>Marks a method as a function with the given name.</summary>
[AttributeUsage(AttributeTargets.Method)]
public class FunctionAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
