// Mirrors Microsoft.Azure.Functions.Worker.Extensions.Storage.Queues 5.5.5.
using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

namespace Microsoft.Azure.Functions.Worker;

/// <summary>Triggers the function with each message of a Storage queue.</summary>
public sealed class QueueTriggerAttribute(string queueName) : TriggerBindingAttribute
{
    public string QueueName { get; } = queueName;

    /// <summary>The name of the setting that holds the Storage connection; <c>AzureWebJobsStorage</c> when null.</summary>
    public string? Connection { get; set; }
}

/// <summary>Sends the value of the method's return, or of the attributed property, to a Storage queue.</summary>
public sealed class QueueOutputAttribute(string queueName) : OutputBindingAttribute
{
    public string QueueName { get; } = queueName;

    /// <summary>The name of the setting that holds the Storage connection; <c>AzureWebJobsStorage</c> when null.</summary>
    public string? Connection { get; set; }
}
