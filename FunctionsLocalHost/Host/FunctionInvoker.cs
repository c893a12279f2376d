using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;

using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsLocalHost;

/// <summary>Calls a function method the way the worker does: a new instance from DI per invocation, awaited.</summary>
internal static class FunctionInvoker
{
    internal static async Task<object?> InvokeAsync(FunctionDefinition function, IServiceProvider services, object?[] arguments)
    {
        var method = function.Method;
        var instance = method.IsStatic ? null : ActivatorUtilities.CreateInstance(services, method.DeclaringType!);
        var returned = method.Invoke(instance, BindingFlags.DoNotWrapExceptions, binder: null, arguments, culture: null);
        switch (returned)
        {
            case Task task:
                await task.ConfigureAwait(false);
                return function.ResultType is null ? null : method.ReturnType.GetProperty(nameof(Task<int>.Result))!.GetValue(task);
            case ValueTask valueTask:
                await valueTask.ConfigureAwait(false);
                return null;
        }

        if (returned is not null && method.ReturnType.IsGenericType && method.ReturnType.GetGenericTypeDefinition() == typeof(ValueTask<>))
        {
            var task = (Task)method.ReturnType.GetMethod(nameof(ValueTask<int>.AsTask))!.Invoke(returned, null)!;
            await task.ConfigureAwait(false);
            return task.GetType().GetProperty(nameof(Task<int>.Result))!.GetValue(task);
        }

        return returned;
    }
}

/// <summary>What a function returned, split into its output bindings.</summary>
internal sealed record FunctionOutputs(IActionResult? HttpResult, IReadOnlyList<(QueueOutputAttribute Binding, object Value)> QueueMessages)
{
    private static readonly ConcurrentDictionary<Type, (PropertyInfo? Http, PropertyInfo[] Queues)> Shapes = new();

    internal static FunctionOutputs From(FunctionDefinition function, object? returned)
    {
        if (function.ReturnQueueOutput is { } returnBinding)
        {
            return new(null, returned is null ? [] : [(returnBinding, returned)]);
        }

        if (returned is null or IActionResult)
        {
            return new((IActionResult?)returned, []);
        }

        var (http, queues) = Shapes.GetOrAdd(returned.GetType(), type =>
        (
            type.GetProperties().FirstOrDefault(p => p.IsDefined(typeof(HttpResultAttribute))),
            type.GetProperties().Where(p => p.IsDefined(typeof(QueueOutputAttribute))).ToArray()
        ));
        if (http is null && queues.Length == 0)
        {
            // A plain object is the HTTP answer, written as JSON.
            return new(new ObjectResult(returned), []);
        }

        var messages = new List<(QueueOutputAttribute, object)>();
        foreach (var queue in queues)
        {
            if (queue.GetValue(returned) is { } value)
            {
                messages.Add((queue.GetCustomAttribute<QueueOutputAttribute>()!, value));
            }
        }

        var httpValue = http?.GetValue(returned);
        return new(httpValue as IActionResult ?? (httpValue is null ? null : new ObjectResult(httpValue)), messages);
    }

    /// <summary>The queue messages one output value stands for: a collection sends each element, like the real binding.</summary>
    internal static IEnumerable<object> Messages(object value)
    {
        if (value is string or byte[] or BinaryData || value is not IEnumerable items)
        {
            yield return value;
            yield break;
        }

        foreach (var item in items)
        {
            if (item is not null)
            {
                yield return item;
            }
        }
    }
}
