"""The use cases, one mixin per part of the flow; ``domain.application.Gongxiao`` joins them."""
