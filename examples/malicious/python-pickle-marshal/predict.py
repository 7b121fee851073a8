from ml.loader import load_model

model = load_model()
print(model)
