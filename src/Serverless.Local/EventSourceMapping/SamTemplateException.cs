namespace Serverless.Local.EventSourceMapping;

/// <summary>The template cannot be read into mapping settings; the message names the resource, event and property.</summary>
public sealed class SamTemplateException : Exception
{
    public SamTemplateException()
    {
    }

    public SamTemplateException(string message)
        : base(message)
    {
    }

    public SamTemplateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
