using System.Reflection;

using Azure.Storage.Queues.Models;

using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

namespace FunctionsLocalHost;

/// <summary>A <c>[Function]</c> method and its trigger, as the worker's generated metadata would describe it.</summary>
internal sealed class FunctionDefinition
{
    public required string Name { get; init; }

    public required MethodInfo Method { get; init; }

    public required ParameterInfo TriggerParameter { get; init; }

    public HttpTriggerAttribute? HttpTrigger { get; init; }

    public QueueTriggerAttribute? QueueTrigger { get; init; }

    /// <summary><c>[QueueOutput]</c> on the method itself: the return value is the message.</summary>
    public QueueOutputAttribute? ReturnQueueOutput { get; init; }

    /// <summary>The declared result once awaited: <c>T</c> of <c>Task&lt;T&gt;</c>, null for <c>void</c> or <c>Task</c>.</summary>
    public Type? ResultType { get; init; }

    /// <summary>The <c>[QueueOutput]</c> properties of the declared result type.</summary>
    public IEnumerable<QueueOutputAttribute> QueueOutputs
        => ResultType is null
            ? []
            : ResultType.GetProperties()
                .Select(p => p.GetCustomAttribute<QueueOutputAttribute>())
                .Append(ReturnQueueOutput)
                .OfType<QueueOutputAttribute>();
}

internal static class FunctionCatalog
{
    /// <summary>Every public <c>[Function]</c> method of the assembly; throws with the fix when one cannot run here.</summary>
    internal static IReadOnlyList<FunctionDefinition> Discover(Assembly assembly)
    {
        var functions = new List<FunctionDefinition>();
        foreach (var type in assembly.GetExportedTypes().Where(t => t.IsClass && !(t.IsAbstract && !t.IsSealed) && !t.ContainsGenericParameters))
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                if (method.GetCustomAttribute<FunctionAttribute>() is { } function)
                {
                    functions.Add(Describe(function.Name, method));
                }
            }
        }

        var duplicate = functions.GroupBy(f => f.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException(
                $"Several functions are named '{duplicate.Key}' ({string.Join(", ", duplicate.Select(Where))}); function names must be unique.");
        }

        return functions;
    }

    internal static string Where(FunctionDefinition function) => $"{function.Method.DeclaringType?.FullName}.{function.Method.Name}";

    private static FunctionDefinition Describe(string name, MethodInfo method)
    {
        var triggers = method.GetParameters()
            .Select(p => (Parameter: p, Attribute: p.GetCustomAttribute<TriggerBindingAttribute>()))
            .Where(t => t.Attribute is not null)
            .ToList();
        var where = $"{method.DeclaringType?.FullName}.{method.Name}";
        if (triggers.Count != 1)
        {
            throw new InvalidOperationException(
                $"Function '{name}' ({where}) must have exactly one trigger parameter ([HttpTrigger] or [QueueTrigger]); it has {triggers.Count}.");
        }

        var (parameter, trigger) = triggers[0];
        if (trigger is HttpTriggerAttribute && parameter.ParameterType != typeof(HttpRequest))
        {
            throw new InvalidOperationException(
                $"Function '{name}' ({where}): the local host binds [HttpTrigger] to HttpRequest (ASP.NET Core integration), not {parameter.ParameterType.Name}.");
        }

        if (trigger is not (HttpTriggerAttribute or QueueTriggerAttribute))
        {
            throw new InvalidOperationException($"Function '{name}' ({where}): the local host does not run {trigger!.GetType().Name}.");
        }

        return new FunctionDefinition
        {
            Name = name,
            Method = method,
            TriggerParameter = parameter,
            HttpTrigger = trigger as HttpTriggerAttribute,
            QueueTrigger = trigger as QueueTriggerAttribute,
            ReturnQueueOutput = method.GetCustomAttribute<QueueOutputAttribute>(),
            ResultType = ResultType(method.ReturnType),
        };
    }

    private static Type? ResultType(Type returnType)
    {
        if (returnType == typeof(void) || returnType == typeof(Task) || returnType == typeof(ValueTask))
        {
            return null;
        }

        if (returnType.IsGenericType
            && (returnType.GetGenericTypeDefinition() == typeof(Task<>) || returnType.GetGenericTypeDefinition() == typeof(ValueTask<>)))
        {
            return returnType.GetGenericArguments()[0];
        }

        return returnType;
    }

    /// <summary>True for the types a queue trigger parameter binds without JSON.</summary>
    internal static bool IsRawMessageType(Type type)
        => type == typeof(string) || type == typeof(byte[]) || type == typeof(BinaryData) || type == typeof(QueueMessage);
}
