"""The one error the data layer raises for a dataset it cannot use (catalog and folders alike)."""


class DatasetError(ValueError):
    """A dataset that cannot be used: unknown name, not prepared, or missing a needed feature.

    Example:
        try:
            describe('mnsit')
        except DatasetError as error:
            print(error)  # Unknown dataset 'mnsit' (did you mean mnist?). ...
    """
