"""The use cases, one module per part of the flow, each a sibling of the others: functions of
the store (``domain.usecases.store``) that ``domain.application.Gongxiao`` lists as its methods."""
