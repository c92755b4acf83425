using Edge.Hub;

var app = HubApp.Build(args);
await app.RunAsync();
