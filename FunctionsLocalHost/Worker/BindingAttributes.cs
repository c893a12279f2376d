// Mirrors Microsoft.Azure.Functions.Worker.Extensions.Abstractions 1.3.0.
namespace Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

/// <summary>Base of every binding attribute.</summary>
public abstract class BindingAttribute : Attribute;

/// <summary>Base of the trigger attributes (on a function parameter).</summary>
[AttributeUsage(AttributeTargets.Parameter)]
public abstract class TriggerBindingAttribute : BindingAttribute;

/// <summary>Base of the output binding attributes (on a method return or a property of the returned object).</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Property)]
public abstract class OutputBindingAttribute : BindingAttribute;
